"""An independent labelled set of Polish B2B customer payments, for bench_matching_independent.py.

Written apart from ``matching_data.py`` and the engine (no code, word list or case list shared), from how
Polish B2B customers pay by transfer:

* titles are typed by hand in the bank's web form or filled by the payer's ERP: "Zapłata za FV 42/2026",
  "fakt. nr 42/26", "f-ra FV/2026/00042 i 43", "FV/2026/42" (zeros dropped), the year first
  ("2026/42"), Polish letters or not, upper or lower case;
* Elixir carries the title in four lines of 35 characters: a long list of invoices is cut across lines,
  sometimes inside a number;
* the payer's bank (or a foreign correspondent) deducts its fee: 0.50-12.00 short;
* instalments and partial payments ("Częściowa wpłata", "rata 1/3", "zaliczka"), quoting one invoice;
* typos in the invoice number (a digit changed, two swapped, one dropped);
* the payer's name as the bank prints it: upper case, no accents, legal form spelt out, cut at 35
  characters, an address glued on; payers without any reference, paying from a known account;
* the same customer entered twice in the seller's ERP (same NIP and IBAN: head office and branch);
* KSeF numbers (art. 108g VAT act): dashed or not, lower case, several, inside split-payment titles;
* split payment (MPP) titles ``/VAT/…/IDC/…/INV/…/TXT/…`` with the invoice number as the payer wrote it;
* credits that pay no invoice: refunds from suppliers, own transfers, interest, deposits returned;
* payments that cannot be told apart: no reference, two open invoices of the customer with that amount.

The seller numbers invoices in two journals, ``FV/2026/00042`` and Odoo's ``INV/2026/00042``, each from 1:
short forms such as ``42/2026`` exist in both. ``KIND_SHARES`` gives each kind's share of the lines.

    lines, items, customers, truth = build(n_lines, n_items, n_customers, seed)

``truth[line id] = (frozenset of paid item ids, kind)``; an empty set: nothing to apply.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

KIND_SHARES = {
    "full_number": 0.18,
    "short_number": 0.14,
    "several_invoices": 0.08,
    "split_remittance": 0.04,
    "bank_fee_deducted": 0.08,
    "partial_payment": 0.05,
    "typo": 0.06,
    "no_title_known_account": 0.05,
    "duplicate_customer": 0.05,
    "ksef_number": 0.10,
    "split_payment_mpp": 0.06,
    "not_a_customer_payment": 0.08,
    "indistinguishable": 0.03,
}
SELLER_NIP = "7792433421"
SELLER_NAME = "ELEKTROHURT POZNAN SP. Z O.O."

_FIRMS = (
    "Grabex Bartex Dromet Polmlek Sanbud Termobud Elmax Hydrotech Agrosad Metalkon Drewpol Vitapol "
    "Budimex-Serwis Transkom Eurokop Mediplast Kartonex Stolbud Szkłomet Gazpex Rolmex Tarbud Chemolux "
    "Ekoterm Fotowolt Mlekpol Zbożex Opakowex Autonaprawa Klimatex Betonstal Wodkan Sadpol Ogrodex"
).split()
_PLACES = "Poznań Kraków Łódź Gdańsk Lublin Wrocław Kielce Radom Opole Toruń Rzeszów Płock".split()
_PERSONS = "Łukasz Żaneta Grzegorz Dorota Wojciech Halina Mirosław Bożena Zbigniew Jadwiga".split()
_FAMILY = "Wąsik Żak Bąk Cieślak Gołąb Kołodziej Sobczak Kurek Szulc Śliwa Ryba Wilk Lis Bednarz".split()
_FORMS = ("Sp. z o.o.", "S.A.", "Sp. z o.o. Sp. k.", "s.c.", "sp.j.", "")
_FORMS_SPELT = {
    "Sp. z o.o.": "SPOLKA Z OGRANICZONA ODPOWIEDZIALNOSCIA",
    "S.A.": "SPOLKA AKCYJNA",
    "s.c.": "SPOLKA CYWILNA",
    "sp.j.": "SPOLKA JAWNA",
}
_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def crc8_ksef(text):
    """CRC-8, polynomial 0x07, start 0 (the KSeF number's check characters), written here again."""
    value = 0
    for char in text:
        value ^= ord(char)
        for _ in range(8):
            value = ((value << 1) ^ 0x07) & 0xFF if value & 0x80 else (value << 1) & 0xFF
    return format(value, "02X")


class Builder:
    def __init__(self, seed):
        self.rnd = random.Random(seed)

    # ---- identifiers

    def nip(self):
        weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
        while True:
            digits = [self.rnd.randrange(1, 10)] + [self.rnd.randrange(10) for _ in range(8)]
            control = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
            if control != 10:
                return "".join(str(d) for d in digits) + str(control)

    def iban(self):
        bban = "".join(str(self.rnd.randrange(10)) for _ in range(24))
        check = 98 - int(bban + "252100") % 97  # "PL00" moved to the end: P=25, L=21
        return f"PL{check:02d}{bban}"

    def ksef(self, day):
        tech = "".join(self.rnd.choice("0123456789ABCDEF") for _ in range(12))
        body = f"{SELLER_NIP}-{day:%Y%m%d}-{tech}"
        return f"{body}-{crc8_ksef(body)}"

    # ---- the seller's ledger

    def customer_name(self):
        rnd = self.rnd
        if rnd.random() < 0.25:
            return (
                f"{rnd.choice(_PERSONS)} {rnd.choice(_FAMILY)} {rnd.choice(('Usługi', 'Handel', 'Serwis'))}"
            )
        return f"{rnd.choice(_FIRMS)} {rnd.choice(_PLACES)} {rnd.choice(_FORMS)}".strip()

    def build(self, n_lines, n_items, n_customers, engine):
        rnd = self.rnd
        self.engine = engine
        self.customers, self.accounts = [], {}
        names = set()
        while len(self.customers) < n_customers:
            name = self.customer_name()
            if name in names:
                continue
            names.add(name)
            cid = len(self.customers) + 1
            accounts = (self.iban(),) if rnd.random() < 0.8 else ()
            self.customers.append(engine.Customer(cid, name, self.nip(), accounts))
        # Head office entered again as a branch: the same NIP and account, another record.
        self.twins = {}
        for original in rnd.sample(self.customers, n_customers // 12):
            if not original.ibans:
                continue
            twin_id = len(self.customers) + 1
            twin = engine.Customer(twin_id, f"{original.name} Oddział", "PL" + original.vat, original.ibans)
            self.customers.append(twin)
            self.twins[original.id] = twin_id
        self.items, self.by_customer, counters = [], {}, {"FV": 0, "INV": 0}
        self.ksef_numbers = {}
        owners = [c.id for c in self.customers]
        for k in range(n_items):
            owner = owners[k] if k < len(owners) else rnd.choice(owners[: n_customers // 3] * 2 + owners)
            journal = "FV" if rnd.random() < 0.7 else "INV"
            counters[journal] += 1
            issued = date(2026, 1, 5) + timedelta(days=rnd.randrange(80))
            amount = (
                Decimal(rnd.choice((rnd.randrange(50, 900), rnd.randrange(900, 40000))))
                + Decimal(rnd.randrange(100)) / 100
            )
            open_item = engine.OpenItem(
                id=500_000 + k,
                move_id=700_000 + k,
                partner_id=owner,
                number=f"{journal}/2026/{counters[journal]:05d}",
                residual=amount,
                currency="PLN",
                due_date=issued + timedelta(days=rnd.choice((7, 14, 21, 30, 60))),
                invoice_date=issued,
            )
            if journal == "FV" and issued >= date(2026, 2, 1):
                self.ksef_numbers[open_item.id] = self.ksef(issued)
                if "ksef_number" in engine.OpenItem.__slots__:  # (an engine before KSeF: for comparison)
                    open_item.ksef_number = self.ksef_numbers[open_item.id]
            open_item.payment_reference = open_item.number
            self.items.append(open_item)
            self.by_customer.setdefault(owner, []).append(open_item)
        self.spent = set()
        self.lines, self.truth = [], {}
        plan = [kind for kind, share in KIND_SHARES.items() for _ in range(round(share * n_lines))]
        plan.sort(key=lambda kind: kind != "indistinguishable")
        for kind in plan:
            getattr(self, f"kind_{kind}")()
        return self.lines, self.items, self.customers, self.truth

    # ---- helpers

    def free(self, test=lambda it: True):
        for _ in range(500):
            candidate = self.rnd.choice(self.items)
            if candidate.id not in self.spent and test(candidate):
                return candidate
        raise RuntimeError("not enough open invoices for this many lines")

    def free_of(self, owner, count):
        pool = [it for it in self.by_customer.get(owner, ()) if it.id not in self.spent]
        return self.rnd.sample(pool, count) if len(pool) >= count else None

    def printed_name(self, customer_id):
        name = self.customers[customer_id - 1].name
        shape = self.rnd.random()
        if shape < 0.3:
            return name
        loud = name.translate(_ASCII).upper()
        if shape < 0.55:
            return loud
        if shape < 0.75:
            for short, spelt in _FORMS_SPELT.items():
                loud = loud.replace(short.upper(), spelt)
            return loud[:35]
        return f"{loud} UL. {self.rnd.choice(_FAMILY).upper()} {self.rnd.randrange(1, 99)}"[:70]

    def paid_from(self, customer_id):
        accounts = self.customers[customer_id - 1].ibans
        if accounts and self.rnd.random() < 0.75:
            return accounts[0]
        return self.iban()

    def emit(self, kind, paid, amount, title, customer_id=None, account=None, name=None):
        line_id = len(self.lines) + 1
        self.lines.append(
            self.engine.BankLine(
                id=line_id,
                amount=Decimal(amount),
                currency="PLN",
                date=date(2026, 3, 30),
                remittance=title,
                counterparty_name=name if name is not None else self.printed_name(customer_id),
                counterparty_iban=account if account is not None else self.paid_from(customer_id),
            )
        )
        self.spent.update(it.id for it in paid)
        self.truth[line_id] = (frozenset(it.id for it in paid), kind)

    def written(self, open_item):
        """The invoice number as a customer types it."""
        journal, year, seq = open_item.number.split("/")
        n = int(seq)
        return self.rnd.choice(
            (
                f"{journal} {n}/{year}",
                f"{journal} {n}/{year[2:]}",
                f"{n}/{year}",
                f"{journal}/{year}/{n}",
                f"{journal} {year}/{n}",
                f"{year}/{n}",
                f"nr {n}/{year}",
            )
        )

    # ---- kinds

    def kind_full_number(self):
        it = self.free()
        words = ("Zapłata za {}", "{}", "ZAPLATA FAKTURY {}", "Płatność za fakturę {}", "{} dziękujemy")
        title = self.rnd.choice(words).format(
            it.number if self.rnd.random() < 0.8 else it.number.lower().replace("/", " ")
        )
        self.emit("full_number", [it], it.residual, title, it.partner_id)

    def kind_short_number(self):
        it = self.free()
        word = self.rnd.choice(
            ("Zapłata za", "fakt. nr", "f-ra", "Faktura", "za fakturę nr", "FAKTURA NR", "")
        )
        self.emit("short_number", [it], it.residual, f"{word} {self.written(it)}".strip(), it.partner_id)

    def kind_several_invoices(self):
        for _ in range(100):
            first = self.free()
            chosen = self.free_of(first.partner_id, self.rnd.choice((2, 2, 3)))
            if chosen:
                break
        chosen.sort(key=lambda it: it.number)
        journal = chosen[0].number.split("/")[0]
        numbers = [it.number for it in chosen]
        shape = self.rnd.random()
        if shape < 0.3 and all(it.number.startswith(journal) for it in chosen):
            tail = [str(int(it.number.split("/")[2])) for it in chosen[1:]]
            title = f"f-ra {numbers[0]} i {', '.join(tail)}"
        elif shape < 0.6:
            title = "FV " + ", ".join(f"{int(n.split('/')[2])}/{n.split('/')[1]}" for n in numbers)
            if not all(it.number.startswith("FV") for it in chosen):
                title = "Faktury: " + "; ".join(numbers)
        else:
            title = "Faktury: " + "; ".join(numbers)
        self.emit("several_invoices", chosen, sum(it.residual for it in chosen), title, first.partner_id)

    def kind_split_remittance(self):
        for _ in range(100):
            first = self.free()
            chosen = self.free_of(first.partner_id, self.rnd.choice((3, 4, 5)))
            if chosen:
                break
        text = "Zapłata za faktury " + " ".join(it.number for it in chosen)
        cut = [text[k : k + 35] for k in range(0, len(text), 35)]
        if self.rnd.random() < 0.85:  # most banks cut between words
            cut, row = [], ""
            for word in text.split():
                if len(row) + len(word) + 1 > 35:
                    cut.append(row)
                    row = word
                else:
                    row = f"{row} {word}".strip()
            cut.append(row)
        self.emit(
            "split_remittance",
            chosen,
            sum(it.residual for it in chosen),
            "\n".join(cut[:4]),
            first.partner_id,
        )

    def kind_bank_fee_deducted(self):
        it = self.free(lambda it: it.residual > 100)
        fee = Decimal(self.rnd.choice(("0.50", "1.00", "1.50", "2.00", "5.00", "7.50", "10.00", "12.00")))
        fee = min(fee, (it.residual * Decimal("0.02")).quantize(Decimal("0.01")))
        title = self.rnd.choice(("{}", "Zapłata {}", "OUR CHARGES DEDUCTED {}"))
        self.emit("bank_fee_deducted", [it], it.residual - fee, title.format(it.number), it.partner_id)

    def kind_partial_payment(self):
        it = self.free(lambda it: it.residual > 200)
        part = (it.residual * Decimal(self.rnd.choice(("0.25", "0.3", "0.5", "0.6")))).quantize(Decimal("1"))
        title = self.rnd.choice(("Częściowa wpłata {}", "rata 1/3 {}", "zaliczka na poczet {}", "Czesc {}"))
        self.emit("partial_payment", [it], part, title.format(it.number), it.partner_id)

    def kind_typo(self):
        it = self.free()
        journal, year, seq = it.number.split("/")
        digits = list(seq)
        for _ in range(20):
            altered = digits[:]
            at = self.rnd.randrange(1, len(altered))
            move = self.rnd.random()
            if move < 0.4:
                altered[at] = str((int(altered[at]) + self.rnd.randrange(1, 10)) % 10)
            elif move < 0.8 and at + 1 < len(altered):
                altered[at], altered[at + 1] = altered[at + 1], altered[at]
            else:
                del altered[at]
            if int("".join(altered) or "0") != int(seq):
                break
        self.emit("typo", [it], it.residual, f"Zapłata {journal}/{year}/{''.join(altered)}", it.partner_id)

    def kind_no_title_known_account(self):
        it = self.free(lambda it: self.customers[it.partner_id - 1].ibans)
        account = self.customers[it.partner_id - 1].ibans[0]
        title = self.rnd.choice(("PRZELEW", "Zapłata", "płatność", "za towar", ""))
        self.emit("no_title_known_account", [it], it.residual, title, it.partner_id, account=account)

    def kind_duplicate_customer(self):
        original = self.rnd.choice(list(self.twins))
        twin = self.twins[original]
        owner = self.rnd.choice((original, twin))
        pool = self.free_of(owner, 1) or self.free_of(original if owner == twin else twin, 1)
        if not pool:
            return self.kind_full_number()
        it = pool[0]
        account = self.customers[original - 1].ibans[0]
        title = self.rnd.choice(("{}", "Zapłata za {}", "PRZELEW")).format(self.written(it))
        self.emit("duplicate_customer", [it], it.residual, title, original, account=account)

    def kind_ksef_number(self):
        first = self.free(lambda it: it.id in self.ksef_numbers)
        chosen = [first]
        if self.rnd.random() < 0.25:
            more = [
                it
                for it in self.by_customer[first.partner_id]
                if it.id in self.ksef_numbers and it.id not in self.spent
            ]
            chosen += [it for it in more if it is not first][:2]
        numbers = [self.ksef_numbers[it.id] for it in chosen]
        style = self.rnd.random()
        if style < 0.3:
            numbers = [n.replace("-", "") for n in numbers]
        elif style < 0.45:
            numbers = [n.lower() for n in numbers]
        amount = sum(it.residual for it in chosen)
        if len(chosen) == 1 and self.rnd.random() < 0.35:
            vat = (amount * 23 / 123).quantize(Decimal("0.01"))
            title = f"/VAT/{vat}/IDC/{SELLER_NIP}/INV/{numbers[0]}/TXT/FAKTURA"
        else:
            title = self.rnd.choice(("KSeF: {}", "{}", "Numer KSeF {}")).format(" ".join(numbers))
        self.emit("ksef_number", chosen, amount, title, first.partner_id)

    def kind_split_payment_mpp(self):
        it = self.free()
        vat = (it.residual * 23 / 123).quantize(Decimal("0.01"))
        customer = self.customers[it.partner_id - 1]
        reference = it.number if self.rnd.random() < 0.6 else self.written(it)
        title = f"/VAT/{str(vat).replace('.', ',')}/IDC/{customer.vat}/INV/{reference}/TXT/ZAPLATA"
        self.emit("split_payment_mpp", [it], it.residual, title, it.partner_id)

    def kind_not_a_customer_payment(self):
        rnd = self.rnd
        amount = Decimal(rnd.randrange(100, 500000)) / 100
        title, name = rnd.choice(
            (
                ("Zwrot nadpłaty FS 12/03/2026", "HURTOWNIA KABLI SA"),
                ("KAPITALIZACJA ODSETEK", ""),
                ("Przelew własny", SELLER_NAME),
                ("Zwrot kaucji za palety", "LOGISTYKA PALETOWA SP Z O O"),
                ("Zwrot podatku VAT", "URZAD SKARBOWY POZNAN"),
                (f"Korekta 3/{rnd.randrange(1, 28)}/2026", "DOSTAWCA ENERGII SA"),
                ("Wynagrodzenie 03/2026", "JAN NOWAK"),
            )
        )
        self.emit("not_a_customer_payment", [], amount, title, name=name, account=self.iban())

    def kind_indistinguishable(self):
        it = self.free(lambda it: self.customers[it.partner_id - 1].ibans)
        sibling = self.free_of(it.partner_id, 2)
        if not sibling:
            return
        other = next((s for s in sibling if s.id != it.id), None)
        if other is None:
            return
        other.residual = it.residual  # two open invoices of this customer with one amount
        self.spent.add(other.id)
        account = self.customers[it.partner_id - 1].ibans[0]
        self.emit("indistinguishable", [it], it.residual, "Zapłata", it.partner_id, account=account)


def build(n_lines, n_items, n_customers, seed, engine):
    """``(lines, items, customers, truth)``; ``engine`` is the matching module (its dataclasses only)."""
    return Builder(seed).build(n_lines, n_items, n_customers, engine)
