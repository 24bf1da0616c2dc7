"""KSeF rules that need no database: the legal deadline of an invoice issued offline (business days in
Poland) and the verification links of the Ministry's QR-code rules (``kody-qr.md`` of CIRFMF/ksef-docs):

* KOD I, on every invoice shared outside KSeF: ``{base}/invoice/{seller NIP}/{P_1 as DD-MM-YYYY}/
  {SHA-256 of the FA(3) file, Base64URL}``, labelled with the KSeF number, or ``OFFLINE`` until KSeF gave one;
* KOD II, only on an invoice issued offline: ``{base}/certificate/{context type}/{context value}/
  {seller NIP}/{serial number of the issuer's KSeF Offline certificate}/{file hash}/{signature}``, the
  signature being the certificate's private key's over the link without ``https://`` (RSASSA-PSS with
  SHA-256, MGF1 SHA-256 and a 32-byte salt; or ECDSA P-256 with SHA-256, ``r || s``), labelled
  ``CERTYFIKAT``.
"""

import base64
import hashlib
from datetime import date, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from dateutil.easter import easter

PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
# Christmas Eve is a public holiday from 2025 (act of 6 December 2024).
CHRISTMAS_EVE_FROM = 2025


def polish_public_holidays(year):
    """The public holidays of ``year`` (the act of 18 January 1951 on days free from work)."""
    sunday = easter(year)
    days = {
        date(year, 1, 1),
        date(year, 1, 6),
        sunday,
        sunday + timedelta(days=1),  # Easter Monday
        date(year, 5, 1),
        date(year, 5, 3),
        sunday + timedelta(days=49),  # Pentecost
        sunday + timedelta(days=60),  # Corpus Christi
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 11, 11),
        date(year, 12, 25),
        date(year, 12, 26),
    }
    if year >= CHRISTMAS_EVE_FROM:
        days.add(date(year, 12, 24))
    return days


def is_business_day(day):
    return day.weekday() < 5 and day not in polish_public_holidays(day.year)


def next_business_day(day):
    """The first business day after ``day``."""
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def offline_deadline(issue_date):
    """The last day to send an invoice issued offline (``P_1`` = ``issue_date``) to KSeF: the next business
    day (offline24, art. 106nda of the VAT act; the strictest of the offline modes)."""
    return next_business_day(issue_date)


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def invoice_digest(xml):
    """The FA(3) file's SHA-256 in Base64URL without padding, as the verification links carry it."""
    return b64url(hashlib.sha256(xml).digest())


def invoice_link(base, nip, issue_date, xml):
    """KOD I: the link to verify the invoice (file ``xml``, bytes) in KSeF."""
    return f"{base}/invoice/{nip}/{issue_date:%d-%m-%Y}/{invoice_digest(xml)}"


def certificate_serial(certificate):
    """The serial number of an ``x509.Certificate`` as KSeF writes it: upper-case hexadecimal, even length."""
    text = f"{certificate.serial_number:X}"
    return text.rjust(len(text) + len(text) % 2, "0")


def certificate_link(base, nip, serial, xml, private_key, context=("Nip", None)):
    """KOD II: the link that proves the issuer of an offline invoice, signed with the private key of its
    KSeF Offline certificate (RSA of 2048 bits or more, or EC P-256). ``context`` is the type and value of
    the login context (default: the seller's NIP)."""
    context_type, context_value = context
    path = (
        f"{base.removeprefix('https://')}/certificate/{context_type}/{context_value or nip}/{nip}/"
        f"{serial}/{invoice_digest(xml)}"
    )
    return f"https://{path}/{b64url(sign_link(private_key, path.encode()))}"


def sign_link(private_key, data):
    """The signature of a KOD II link's ``data`` by ``private_key`` (the Ministry's algorithms)."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        if private_key.key_size < 2048:
            raise ValueError("a KSeF certificate's RSA key has at least 2048 bits")
        return private_key.sign(data, PSS, hashes.SHA256())
    if isinstance(private_key, ec.EllipticCurvePrivateKey) and private_key.curve.name == "secp256r1":
        r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # IEEE P1363, the recommended form
    raise ValueError("a KSeF certificate's key is RSA (2048 bits or more) or EC P-256")
