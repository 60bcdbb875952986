"""The QR code of a certificate's verification address, shared by the printable page (drawn as
inline SVG) and the PDF (embedded as a PNG image)."""

from __future__ import annotations

import segno


def verification_qr(url: str) -> segno.QRCode:
    """The QR code of ``url`` (a full QR code, never Micro QR; error correction level M, so a
    scuffed or badly printed copy still scans)."""
    return segno.make_qr(url, error="m", boost_error=False)
