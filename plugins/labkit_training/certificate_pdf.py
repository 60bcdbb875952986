"""A certificate as a one-page PDF, written with fpdf2 in an embedded Unicode font (DejaVu Sans),
so that every name prints as it is spelt (Conceição, Łukasz, Nguyễn), with the QR code of its
verification address in a corner."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from labkit_training.qr import verification_qr

FONT = Path(__file__).parent / "static" / "training" / "fonts" / "DejaVuSans.ttf"
QR_SIZE = 32  # millimetres: the QR code's side, quiet zone included, in the page's bottom right corner


@dataclass(frozen=True)
class CertificateText:
    """The translated words of one certificate, ready to print."""

    heading: str
    lines: list[str]
    status: str
    verify_label: str
    verify_url: str
    qr_label: str
    title: str


def render_pdf(text: CertificateText) -> bytes:
    """The certificate as PDF bytes (A4 landscape)."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(text.title)
    pdf.set_creator("labkit")
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(40, 70, 120)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_font("DejaVu", size=30)
    pdf.set_y(35)
    pdf.cell(0, 16, text.heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", size=15)
    for line in text.lines:
        pdf.multi_cell(0, 9, line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(6)
    pdf.set_font("DejaVu", size=13)
    pdf.multi_cell(0, 8, text.status, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 42)
    pdf.set_font("DejaVu", size=10)
    pdf.cell(0, 6, text.verify_label, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, text.verify_url, align="C", link=text.verify_url, new_x="LMARGIN", new_y="NEXT")
    png = io.BytesIO()
    verification_qr(text.verify_url).save(png, kind="png", scale=8)
    pdf.image(png, x=pdf.w - 14 - QR_SIZE, y=pdf.h - 14 - QR_SIZE, w=QR_SIZE, h=QR_SIZE,
              link=text.verify_url, alt_text=text.qr_label)
    return bytes(pdf.output())
