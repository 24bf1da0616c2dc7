"""Balances prove that a statement was read whole: opening balance + movements = closing balance, exactly.

A statement that gives both balances and whose transactions do not add up to the difference between them
was read with a transaction missing, doubled or wrong (or the bank's file is itself inconsistent): the
import stops and names it. Statements without both balances (camt.054 notifications, MT942 interim
reports) prove nothing and pass.
"""

from dataclasses import dataclass
from decimal import Decimal

from .statement import Statement


@dataclass(frozen=True, slots=True)
class BalanceProblem:
    """A statement whose movements do not lead from its opening to its closing balance."""

    account: str
    statement_id: str
    currency: str
    opening: Decimal
    movements: Decimal
    closing: Decimal
    count: int

    @property
    def difference(self) -> Decimal:
        """What the movements miss: closing - (opening + movements)."""
        return self.closing - (self.opening + self.movements)


def balance_problem(statement: Statement) -> BalanceProblem | None:
    """The problem of ``statement`` when opening + movements != closing (Decimal, exact), else None."""
    if statement.opening_balance is None or statement.closing_balance is None:
        return None
    movements = sum((Decimal(tx.amount) for tx in statement.transactions), Decimal(0))
    if statement.opening_balance + movements == statement.closing_balance:
        return None
    return BalanceProblem(
        account=statement.account_iban,
        statement_id=statement.statement_id,
        currency=statement.currency,
        opening=statement.opening_balance,
        movements=movements,
        closing=statement.closing_balance,
        count=len(statement.transactions),
    )
