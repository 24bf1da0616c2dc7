"""19.0.1.1.0: a rule's write-off account is per company (company_dependent: a jsonb column keyed by
company id), so that the rule for every company books each company's fees to that company's own account."""


def migrate(cr, version):
    cr.execute(
        """SELECT data_type FROM information_schema.columns
            WHERE table_name = 'ar_reconcile_rule' AND column_name = 'writeoff_account_id'"""
    )
    row = cr.fetchone()
    if not row or row[0] == "jsonb":
        return
    cr.execute("ALTER TABLE ar_reconcile_rule ADD COLUMN writeoff_account_by_company jsonb")
    cr.execute(
        """
        UPDATE ar_reconcile_rule rule
           SET writeoff_account_by_company = jsonb_build_object(
                   COALESCE(rule.company_id,
                            (SELECT MIN(rel.res_company_id) FROM account_account_res_company_rel rel
                              WHERE rel.account_account_id = rule.writeoff_account_id))::text,
                   rule.writeoff_account_id)
         WHERE rule.writeoff_account_id IS NOT NULL
        """
    )
    cr.execute("ALTER TABLE ar_reconcile_rule DROP COLUMN writeoff_account_id")
    cr.execute(
        "ALTER TABLE ar_reconcile_rule RENAME COLUMN writeoff_account_by_company TO writeoff_account_id"
    )  # noqa: E501
