"""`convgen serve`: the web application for people who do not use a terminal.

Server-rendered French HTML over the same engine as the CLI: the form of an instance is generated
from its model's schema (`forms`), saved into `instances/` by a comment-keeping YAML round trip
(`yamledit`), validated and previewed on a private copy before anything is written (`candidate`,
`preview`), built and checked by `convgen.build` itself. `app` holds the routes, `security` the
CSRF token, the password and the checks on names coming from requests.
"""
