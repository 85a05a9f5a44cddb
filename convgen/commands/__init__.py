"""One module per CLI command; each defines a click command named after its module.

Commands stay thin: parse arguments, call one core function, print. Heavy imports go inside the
command function so that `convgen --help` stays instant.
"""
