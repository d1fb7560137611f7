"""Feed validation: bytes in, `Finding`s out. The only parser of untrusted XML (issue 3)."""
