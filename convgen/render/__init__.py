"""Stage 3, render: the Word frame filled (.docx parts, deterministic zip), PDF through
LibreOffice, signature fields.
"""
