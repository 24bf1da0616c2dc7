"""Labelled data for the cash-application benchmark: customers, open invoices and bank credits (no Odoo).

    lines, items, customers, truth = generate(n_lines=5000, n_items=20000, n_customers=2000, seed=42)

``truth[line id]`` is ``(frozenset of the item ids the line really pays, case label)``: an empty set for
a credit that pays no invoice (label ``unrelated``); the item actually paid for a line that cannot be
told from another one (label ``ambiguous``: two open invoices of the customer with that amount, no
reference), which must not be reconciled automatically.

Customers have Polish or English names (``Nowak Transport Sp. z o.o.``, ``PHU Kowalski Jan``, ``Atlas
Trading Ltd``), a NIP, mostly one or two known IBANs, sometimes a learned pattern (``nr klienta 01234``);
some bill a fixed monthly amount. Invoices are numbered ``FV/2026/00001`` (``INV/…`` for English
customers, some of them in EUR), credit notes ``KOR/2026/…``; a tenth carry an RF reference. The banks
show payers' names in upper case, without accents, with the legal form spelt out, truncated to 35
characters or followed by an address. The cases and their shares are in ``CASE_SHARES``.
"""

import hashlib
import math
import random
import sys
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASE_SHARES = {
    "exact_reference": 0.27,
    "ksef_number": 0.04,
    "reference_normalised": 0.05,
    "reference_typo": 0.03,
    "several_references": 0.05,
    "several_no_reference": 0.03,
    "partial": 0.03,
    "bank_fee": 0.04,
    "overpayment": 0.02,
    "factoring": 0.03,
    "split_payment": 0.09,
    "rf_reference": 0.05,
    "camt_documents": 0.03,
    "no_reference_iban": 0.07,
    "no_reference_vat": 0.02,
    "no_reference_pattern": 0.01,
    "no_reference_name": 0.03,
    "unrelated": 0.08,
    "ambiguous": 0.02,
}
OUR_NIP = "5260250274"
OUR_NAME = "NASZA FIRMA SP. Z O.O."
OUR_IBAN = "PL61109010140000071219812874"
TODAY = date(2026, 3, 16)

SURNAMES = (
    "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski "
    "Kozłowski Jankowski Mazur Wojciechowski Kwiatkowski Krawczyk Kaczmarek Piotrowski Grabowski Zając "
    "Pawłowski Michalski Król Wieczorek Jabłoński Wróbel Nowakowski Majewski Olszewski Stępień Malinowski "
    "Jaworski Adamczyk Dudek Nowicki Pawlak Górski Witkowski Walczak Sikora Baran Rutkowski Michalak "
    "Szewczyk Ostrowski Tomaszewski Pietrzak Marciniak Wróblewski"
).split()
FIRST_NAMES = (
    "Jan Anna Piotr Katarzyna Andrzej Małgorzata Krzysztof Agnieszka Tomasz Barbara Paweł Ewa".split()
)
TRADES = (
    "Budownictwo,Transport,Handel,Serwis,Instalacje,Meble,Drukarnia,Piekarnia,Ogrody,Elektronika,Logistyka,"
    "Consulting,Systemy,Technika,Stal,Energia,Agro,Medica,Farmacja,Poligrafia,Tekstylia,Auto Części,"
    "Okna i Drzwi,Dachy,Hurtownia Spożywcza,Hurtownia Budowlana,Usługi Remontowe,Biuro Rachunkowe,"
    "Przetwórstwo Mięsne,Spedycja"
).split(",")
BRAND_HEADS = "Bud El Pol Trans Agro Med Tech Inter Euro Stal Drew Mar Kom Pro Eko".split()
BRAND_TAILS = "max pol bud tex med trans mex ex net tech plast sped".split()
PL_FORMS = (("Sp. z o.o.", 50), ("S.A.", 10), ("sp.j.", 8), ("Sp. k.", 7), ("s.c.", 5))
EN_ADJECTIVES = (
    "Global Northern Bright Blue Atlas Summit Harbor Pioneer Crown Vertex Silver Oak Redwood Coastal Granite "
    "Apex Evergreen Union Royal Meridian"
).split()
EN_NOUNS = (
    "Trading Logistics Solutions Systems Foods Industries Partners Supplies Engineering Media Textiles "
    "Components Furniture Packaging Energy"
).split()
EN_FORMS = ("Ltd", "Limited", "GmbH", "B.V.", "Inc.")
STREETS = ("UL. DŁUGA", "UL. POLNA", "AL. JEROZOLIMSKIE", "UL. LIPOWA", "UL. KOŚCIUSZKI", "UL. SŁONECZNA")
CITIES = ("00-001 WARSZAWA", "30-002 KRAKÓW", "80-003 GDAŃSK", "60-004 POZNAŃ", "50-005 WROCŁAW")
FACTORS = (
    ("PEKAO FAKTORING SP. Z O.O.", "PL10124000011111000012345678"),
    ("BNP PARIBAS FAKTORING SP. Z O.O.", "PL27114020040000300201355387"),
    ("COFACE POLAND FACTORING SP. Z O.O.", "PL83101010230000261395100000"),
    ("EFAKTOR S.A.", "PL49102055581111123456789012"),
)
SUPPLIERS = (
    "PGE OBROT S.A.",
    "ORANGE POLSKA S.A.",
    "ALLEGRO SP. Z O.O.",
    "BIURO PODROZY ITAKA",
    "ZAKLAD UBEZPIECZEN SPOLECZNYCH",
    "URZAD SKARBOWY WARSZAWA",
    "STACJA PALIW ORLEN",
    "LEROY MERLIN POLSKA SP Z O O",
)
PL_TITLES = (
    "Zapłata za fakturę {ref}",
    "Faktura nr {ref}",
    "Przelew za {ref}",
    "{ref}",
    "Płatność {ref} dziękujemy",
    "zaplata fv {ref}",
    "Zapłata za fakturę {ref} z dnia {day}",
    "FAKTURA {ref} {short}",
)
EN_TITLES = ("Payment invoice {ref}", "Invoice {ref}", "INV {ref} payment", "Payment for {ref}, thank you")
GENERIC_TITLES = (
    "Przelew",
    "Zapłata",
    "Płatność za towar",
    "Przelew środków",
    "Payment",
    "Zapłata za usługi",
)
ITEM_RF_SHARE = 0.10
# Invoices of our company (PLN, issued through KSeF) carry a KSeF number from February 2026.
KSEF_FROM = date(2026, 2, 1)


def engine():
    """The matching engine's modules, imported without Odoo (the addon folder on sys.path)."""
    folder = str(ROOT / "ar_bank_psd2")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    from engine import matching, rf, statement

    return matching, rf, statement


def ksef_number(sequence, day):
    """A KSeF number KSeF could have given our invoice ``sequence`` accepted on ``day`` (its technical part
    derived from the sequence, so that adding them draws nothing from the generator's random stream)."""
    from engine.ksef import crc8

    technical = hashlib.sha256(f"ksef{sequence}".encode()).hexdigest()[:12].upper()
    data = f"{OUR_NIP}-{day:%Y%m%d}-{technical}"
    return f"{data}-{crc8(data)}"


def _bank_case(text):
    """As many banks show names: upper case, no Polish letters."""
    text = text.replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def generate(n_lines=5000, n_items=20000, n_customers=2000, seed=42):
    """``(lines, items, customers, truth)``: see the module's docstring."""
    return _Generator(random.Random(seed), n_items, n_customers).run(n_lines)


class _Generator:
    def __init__(self, rng: random.Random, n_items: int, n_customers: int):
        self.matching, self.rf, self.statement = engine()
        self.rng = rng
        self.lines, self.truth = [], {}
        self.used: set[int] = set()
        self.customers, self.profiles = self._customers(n_customers)
        self.items, self.by_customer = self._items(n_items)
        self.open_amounts = {}
        for item in self.items:
            self.open_amounts.setdefault((item.partner_id, item.residual), []).append(item.id)

    # ---- customers and invoices

    def _customers(self, count):
        rng = self.rng
        seen, customers, profiles = set(), [], {}
        while len(customers) < count:
            english = rng.random() < 0.15
            name = self._english_name() if english else self._polish_name()
            if name in seen:
                continue
            seen.add(name)
            customer_id = len(customers) + 1
            known = [
                self._iban(english and rng.random() < 0.5) for _ in range(rng.choice((0, 1, 1, 1, 1, 1, 2)))
            ]
            patterns = (f"nr klienta {customer_id:05d}",) if rng.random() < 0.1 else ()
            vat = self._nip()
            customers.append(
                self.matching.Customer(
                    id=customer_id,
                    name=name,
                    vat=("PL" + vat) if rng.random() < 0.5 else vat,
                    ibans=tuple(known),
                    patterns=patterns,
                )
            )
            profiles[customer_id] = {
                "english": english,
                "euro": english and rng.random() < 0.3,
                "monthly": Decimal(rng.choice((615, 1230, 2460, 369, 1845))) if rng.random() < 0.05 else None,
                "nip": vat,
            }
        return customers, profiles

    def _polish_name(self):
        rng = self.rng
        shape = rng.random()
        if shape < 0.2:
            return f"PHU {rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}"
        form = rng.choices([form for form, _ in PL_FORMS], [weight for _, weight in PL_FORMS])[0]
        if shape < 0.7:
            return f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} {form}"
        brand = rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
        return f"{brand} {rng.choice(TRADES)} {form}" if rng.random() < 0.6 else f"{brand} {form}"

    def _english_name(self):
        rng = self.rng
        return f"{rng.choice(EN_ADJECTIVES)} {rng.choice(EN_NOUNS)} {rng.choice(EN_FORMS)}"

    def _nip(self):
        while True:
            digits = [self.rng.randint(1, 9)] + [self.rng.randint(0, 9) for _ in range(8)]
            check = sum(w * d for w, d in zip((6, 5, 7, 2, 3, 4, 5, 6, 7), digits, strict=True)) % 11
            nip = "".join(map(str, digits)) + str(check)
            if check < 10 and nip != OUR_NIP:
                return nip

    def _iban(self, german=False):
        from stdnum.iso7064 import mod_97_10

        if german:
            bban = "".join(str(self.rng.randint(0, 9)) for _ in range(18))
            return "DE" + mod_97_10.calc_check_digits(bban + "DE") + bban
        sort_code = "".join(str(self.rng.randint(0, 9)) for _ in range(8))
        account = "".join(str(self.rng.randint(0, 9)) for _ in range(16))
        return self.statement.pl_iban_from_bban(sort_code, account)

    def _amount(self, profile):
        if profile["monthly"]:
            return profile["monthly"]
        value = min(max(math.exp(self.rng.gauss(7.2, 1.1)), 20), 250_000)
        if self.rng.random() < 0.1:
            return Decimal(round(value, -1) or 10)
        return Decimal(f"{value:.2f}")

    def _items(self, count):
        rng = self.rng
        # Most customers have a few open invoices, some dozens, the largest a few hundred.
        weights = [min(rng.paretovariate(1.6), 40.0) for _ in self.customers]
        owners = [customer.id for customer in self.customers]
        owners += rng.choices(owners, weights, k=max(count - len(owners), 0))
        rng.shuffle(owners)
        items, by_customer = [], {}
        for sequence, owner in enumerate(owners[:count], start=1):
            profile = self.profiles[owner]
            credit_note = rng.random() < 0.02
            prefix = "KOR" if credit_note else "INV" if profile["english"] else "FV"
            number = f"{prefix}/2026/{sequence:05d}"
            invoice_date = date(2026, 1, 2) + timedelta(days=rng.randint(0, 72))
            residual = -Decimal(f"{rng.uniform(20, 2000):.2f}") if credit_note else self._amount(profile)
            item = self.matching.OpenItem(
                id=100_000 + sequence,
                move_id=200_000 + sequence,
                partner_id=owner,
                number=number,
                payment_reference=number if rng.random() < 0.95 else "",
                rf_reference=self.rf.rf_reference(f"{sequence:06d}{owner:05d}")
                if rng.random() < ITEM_RF_SHARE
                else "",
                residual=residual,
                currency="EUR" if profile["euro"] else "PLN",
                due_date=invoice_date + timedelta(days=rng.choice((14, 14, 30))),
                invoice_date=invoice_date,
                ksef_number=ksef_number(sequence, invoice_date)
                if invoice_date >= KSEF_FROM and not profile["euro"]
                else "",
            )
            items.append(item)
            by_customer.setdefault(owner, []).append(item)
        for customer_items in by_customer.values():
            customer_items.sort(key=lambda item: (item.due_date, item.id))
        return items, by_customer

    # ---- lines

    def run(self, n_lines):
        counts = {case: round(share * n_lines) for case, share in CASE_SHARES.items()}
        counts["exact_reference"] += n_lines - sum(counts.values())
        plan = [case for case, count in counts.items() for _ in range(count)]
        # The ambiguous pairs change amounts: make them before the other cases pick their invoices.
        plan.sort(key=lambda case: case != "ambiguous")
        for case in plan:
            getattr(self, f"_case_{case}")()
        order = list(range(len(self.lines)))
        self.rng.shuffle(order)
        lines = [self.lines[k] for k in order]
        return lines, self.items, self.customers, self.truth

    def _add(self, case, paid, amount, currency, remittance="", payer=None, **values):
        line_id = len(self.lines) + 1
        name, iban = payer or ("", "")
        self.lines.append(
            self.matching.BankLine(
                id=line_id,
                amount=amount,
                currency=currency,
                date=TODAY + timedelta(days=self.rng.randint(0, 10)),
                remittance=remittance,
                counterparty_name=name,
                counterparty_iban=iban,
                **values,
            )
        )
        self.used.update(item.id for item in paid)
        self.truth[line_id] = (frozenset(item.id for item in paid), case)

    def _pick(self, condition=lambda item: True, tries=200):
        for _ in range(tries):
            item = self.rng.choice(self.items)
            if item.id not in self.used and item.residual > 0 and condition(item):
                return item
        return next(i for i in self.items if i.id not in self.used and i.residual > 0 and condition(i))

    def _payer(self, customer_id, known=0.85):
        """How the bank shows the customer paying: a displayed name and an IBAN (known or a new one)."""
        customer = self.customers[customer_id - 1]
        known_ibans = customer.ibans
        iban = self.rng.choice(known_ibans) if known_ibans and self.rng.random() < known else self._iban()
        return self._display_name(customer.name), iban

    def _display_name(self, name):
        rng = self.rng
        shape = rng.random()
        if shape < 0.4:
            return name
        folded = _bank_case(name)
        if shape < 0.7:
            return folded
        if shape < 0.8:
            spelt = folded.replace("SP. Z O.O.", "SPOLKA Z OGRANICZONA ODPOWIEDZIALNOSCIA")
            return spelt.replace("S.A.", "SPOLKA AKCYJNA")[:35]
        if shape < 0.9:
            return f"{folded} {rng.choice(STREETS)} {rng.randint(1, 120)} {rng.choice(CITIES)}"
        words = folded.split()
        return " ".join(words[1:] + words[:1])

    def _title(self, item, reference=None):
        reference = reference or item.number
        customer = self.customers[item.partner_id - 1]
        templates = EN_TITLES if self.profiles[item.partner_id]["english"] else PL_TITLES
        return self.rng.choice(templates).format(
            ref=reference, day=f"{item.invoice_date:%d.%m.%Y}", short=customer.name.split()[0]
        )

    def _several(self, count, among=None, condition=lambda item: True):
        """``count`` open invoices of one customer in one currency, picked among its oldest ``among``."""
        for _ in range(500):
            customer = self.rng.choice(self.customers)
            pool = [
                item
                for item in self.by_customer.get(customer.id, ())[: among or None]
                if item.id not in self.used and item.residual > 0 and condition(item)
            ]
            if len(pool) >= count:
                chosen = self.rng.sample(pool, count)
                return sorted(chosen, key=lambda item: (item.due_date, item.id))
        raise RuntimeError(f"no customer has {count} open invoices left: give more --items for the --lines")

    def _label(self, case, item):
        """``ambiguous`` when the customer has another open invoice of that amount and no reference tells."""
        others = [k for k in self.open_amounts[(item.partner_id, item.residual)] if k != item.id]
        return "ambiguous" if others else case

    # ---- the cases

    def _case_exact_reference(self):
        item = self._pick()
        self._add(
            "exact_reference",
            [item],
            item.residual,
            item.currency,
            self._title(item),
            self._payer(item.partner_id),
        )

    def _case_reference_normalised(self):
        item = self._pick()
        prefix, year, number = item.number.split("/")
        variant = self.rng.choice(
            (
                f"{prefix}{year}{number}",
                f"{prefix} {year} {number}",
                item.number.lower(),
                f"{prefix}/{year}/{int(number)}",
                f"{prefix}-{year}-{number}",
                f"{prefix} {year}/{number}",
            )
        )
        title = self._title(item, variant)
        self._add(
            "reference_normalised", [item], item.residual, item.currency, title, self._payer(item.partner_id)
        )

    def _case_reference_typo(self):
        item = self._pick()
        prefix, year, number = item.number.split("/")
        while True:
            typo = list(number)
            position = self.rng.randrange(len(typo))
            kind = self.rng.choice(("substitute", "swap", "drop", "insert"))
            if kind == "substitute":
                typo[position] = self.rng.choice("0123456789")
            elif kind == "swap" and position + 1 < len(typo):
                typo[position], typo[position + 1] = typo[position + 1], typo[position]
            elif kind == "drop":
                del typo[position]
            else:
                typo.insert(position, self.rng.choice("0123456789"))
            if typo and int("".join(typo)) != int(number):  # "0123" for "00123" is no typo
                break
        reference = f"{prefix}/{year}/{''.join(typo)}"
        title = self._title(item, reference)
        self._add("reference_typo", [item], item.residual, item.currency, title, self._payer(item.partner_id))

    def _case_several_references(self):
        items = self._several(self.rng.randint(2, 4))
        numbers = [item.number for item in items]
        if self.rng.random() < 0.15:
            numbers[-1] = numbers[-1].split("/")[-1]  # "FV/2026/00123, 00124": the last one shortened
        separator = self.rng.choice((", ", "; ", " ", " i "))
        title = self.rng.choice(("Faktury: {}", "Zapłata za faktury {}", "{}", "Payment invoices {}"))
        amount = sum(item.residual for item in items)
        payer = self._payer(items[0].partner_id)
        self._add(
            "several_references",
            items,
            amount,
            items[0].currency,
            title.format(separator.join(numbers)),
            payer,
        )

    def _case_several_no_reference(self):
        items = self._several(
            self.rng.randint(2, 3),
            among=6,
            condition=lambda item: item.residual % 1 != 0 and self.customers[item.partner_id - 1].ibans,
        )
        payer = self._payer(items[0].partner_id, known=1.0)
        amount = sum(item.residual for item in items)
        title = self.rng.choice(GENERIC_TITLES)
        self._add("several_no_reference", items, amount, items[0].currency, title, payer)

    def _case_partial(self):
        item = self._pick(lambda item: item.residual >= 300)
        share = Decimal(str(self.rng.choice((0.25, 0.3, 0.5, 0.5, 0.6, 0.75))))
        amount = (item.residual * share).quantize(Decimal(1)) if self.rng.random() < 0.5 else Decimal(100)
        title = self._title(item) + self.rng.choice(("", " część 1", " rata 1/2", " wpłata częściowa"))
        self._add("partial", [item], amount, item.currency, title, self._payer(item.partner_id))

    def _case_bank_fee(self):
        item = self._pick()
        fee = Decimal(self.rng.choice(("1.00", "1.50", "2.00", "2.50", "3.00", "4.00", "5.00")))
        amount = item.residual - fee
        if amount <= 0:
            amount = item.residual
        self._add("bank_fee", [item], amount, item.currency, self._title(item), self._payer(item.partner_id))

    def _case_overpayment(self):
        item = self._pick()
        excess = Decimal(f"{self.rng.uniform(5, 300):.2f}")
        title = self._title(item)
        self._add(
            "overpayment", [item], item.residual + excess, item.currency, title, self._payer(item.partner_id)
        )

    def _case_factoring(self):
        item = self._pick(lambda item: item.currency == "PLN")
        customer = self.customers[item.partner_id - 1]
        title = self.rng.choice(
            (
                "Faktoring: {name} {ref}",
                "Płatność w imieniu {name} za {ref}",
                "Finansowanie faktury {ref} dłużnik {name}",
            )
        ).format(name=_bank_case(customer.name)[:20], ref=item.number)
        self._add("factoring", [item], item.residual, item.currency, title, self.rng.choice(FACTORS))

    def _case_split_payment(self):
        item = self._pick(lambda item: item.currency == "PLN")
        vat = (item.residual * 23 / 123).quantize(Decimal("0.01"))
        reference = item.number if self.rng.random() < 0.8 else item.number.replace("/", " ")
        text = self.rng.choice(("Zapłata", "zaplata za fakture", "Płatność", "faktura"))
        title = f"/VAT/{str(vat).replace('.', ',')}/IDC/{OUR_NIP}/INV/{reference}/TXT/{text}"
        self._add("split_payment", [item], item.residual, item.currency, title, self._payer(item.partner_id))

    def _case_ksef_number(self):
        """KSeF numbers in the title (art. 108g): dashed or not, any case, one to three, or in ``/INV/``."""
        rng = self.rng
        count = rng.choice((1, 1, 1, 1, 2, 3))
        items = self._several(count, condition=lambda item: item.ksef_number and item.currency == "PLN")
        numbers = [item.ksef_number for item in items]
        shape = rng.random()
        if shape < 0.25:
            numbers = [number.replace("-", "") for number in numbers]
        elif shape < 0.4:
            numbers = [number.lower() for number in numbers]
        amount = sum(item.residual for item in items)
        if count == 1 and rng.random() < 0.3:
            vat = (amount * 23 / 123).quantize(Decimal("0.01"))
            title = f"/VAT/{str(vat).replace('.', ',')}/IDC/{OUR_NIP}/INV/{numbers[0]}/TXT/zaplata"
        else:
            title = rng.choice(("{}", "KSeF {}", "Zapłata faktur KSeF: {}", "nr KSeF {} dziękujemy")).format(
                rng.choice((" ", ", ", "; ")).join(numbers)
            )
        self._add("ksef_number", items, amount, "PLN", title, self._payer(items[0].partner_id))

    def _case_rf_reference(self):
        item = self._pick(lambda item: item.rf_reference)
        payer = self._payer(item.partner_id)
        if self.rng.random() < 0.5:
            self._add(
                "rf_reference",
                [item],
                item.residual,
                item.currency,
                "",
                payer,
                structured_reference=item.rf_reference,
            )
            return
        grouped = " ".join(item.rf_reference[k : k + 4] for k in range(0, len(item.rf_reference), 4))
        title = self.rng.choice(("Zapłata {}", "Payment ref {}", "{} dziękujemy")).format(grouped)
        self._add("rf_reference", [item], item.residual, item.currency, title, payer)

    def _case_camt_documents(self):
        items = self._several(self.rng.randint(1, 3)) if self.rng.random() < 0.6 else [self._pick()]
        with_amounts = self.rng.random() < 0.7
        documents = tuple((item.number, item.residual if with_amounts else None) for item in items)
        amount = sum(item.residual for item in items)
        title = self.rng.choice(("", "Platnosc zbiorcza", "Payment advice"))
        payer = self._payer(items[0].partner_id)
        self._add(
            "camt_documents", items, amount, items[0].currency, title, payer, referred_documents=documents
        )

    def _no_reference(self, case, customer_filter, title, known):
        item = self._pick(lambda item: customer_filter(self.customers[item.partner_id - 1]))
        payer = self._payer(item.partner_id, known=known)
        self._add(self._label(case, item), [item], item.residual, item.currency, title(item), payer)

    def _case_no_reference_iban(self):
        self._no_reference(
            "no_reference_iban", lambda c: c.ibans, lambda item: self.rng.choice(GENERIC_TITLES), known=1.0
        )

    def _case_no_reference_vat(self):
        def title(item):
            nip = self.profiles[item.partner_id]["nip"]
            shown = self.rng.choice((nip, f"{nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}", f"PL{nip}"))
            return self.rng.choice(("Przelew NIP {}", "Zapłata NIP: {} za towar", "{} płatność")).format(
                shown
            )

        self._no_reference("no_reference_vat", lambda c: True, title, known=0.0)

    def _case_no_reference_pattern(self):
        def title(item):
            pattern = self.customers[item.partner_id - 1].patterns[0]
            return self.rng.choice(("Opłata {} marzec", "{} abonament", "Płatność {}")).format(
                pattern.upper()
            )

        self._no_reference("no_reference_pattern", lambda c: c.patterns, title, known=0.0)

    def _case_no_reference_name(self):
        self._no_reference(
            "no_reference_name", lambda c: True, lambda item: self.rng.choice(GENERIC_TITLES), 0.0
        )

    def _case_unrelated(self):
        rng = self.rng
        kind = rng.random()
        amount = Decimal(f"{rng.uniform(10, 5000):.2f}")
        if kind < 0.2:
            title, payer = "KAPITALIZACJA ODSETEK", ("", "")
            amount = Decimal(f"{rng.uniform(0.01, 80):.2f}")
        elif kind < 0.45:
            title = rng.choice(
                ("Zwrot nadpłaty za fakturę {}", "Korekta faktury {} zwrot", "zwrot {}")
            ).format(
                rng.choice(
                    (f"FS/{rng.randint(1, 999)}/03/2026", f"2026/03/{rng.randint(1, 999)}", "F-12345/26")
                )
            )
            payer = (rng.choice(SUPPLIERS), self._iban())
            if rng.random() < 0.3:  # the same amount as some customer's open invoice
                amount = rng.choice(self.items).residual
        elif kind < 0.6:
            title = rng.choice(("Przelew własny", "Przeksięgowanie środków", "Zasilenie rachunku"))
            payer = (OUR_NAME, OUR_IBAN)
        elif kind < 0.75:
            title = rng.choice(("Zwrot kaucji", "zwrot za zakupy", "Zwrot", "ZWROT SRODKOW"))
            payer = (rng.choice(SUPPLIERS), self._iban())
        else:  # an invoice number that is not ours (or no longer open)
            number = rng.choice(
                (f"FV/2025/{rng.randint(1, 99999):05d}", f"FV/2026/{rng.randint(40000, 99999)}")
            )
            title = rng.choice(PL_TITLES).format(ref=number, day="01.03.2026", short="")
            payer = (f"{rng.choice(SURNAMES).upper()} {rng.choice(FIRST_NAMES).upper()}", self._iban())
        self._add("unrelated", [], amount, "PLN", title, payer)

    def _case_ambiguous(self):
        """Two open invoices of a customer with a known IBAN get one amount; one is paid, no reference."""
        first, second = self._several(2, condition=lambda item: self.customers[item.partner_id - 1].ibans)
        self.open_amounts[(second.partner_id, second.residual)].remove(second.id)
        second.residual = first.residual
        self.open_amounts.setdefault((second.partner_id, second.residual), []).append(second.id)
        self.used.add(second.id)
        payer = self._payer(first.partner_id, known=1.0)
        self._add(
            "ambiguous", [first], first.residual, first.currency, self.rng.choice(GENERIC_TITLES), payer
        )
