"""Compatibility modes: how other systems store or read the same records —
compiler dialects (IBM Enterprise COBOL, GnuCOBOL) and the Cobrix reader's options."""
