"""Signature of the PDFs convgen produces: empty fields placed in each party's signature block
(`fields`), PAdES signing with pyHanko (`sign`), and verification of a signed file: intact
signatures, then the same text as the convention convgen produced (`verify`)."""
