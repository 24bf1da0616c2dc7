import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ar_portal_statement_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the account statement from the portal home",
            trigger: "a[href='/my/statement']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The overdue invoice is listed and flagged as late",
            trigger: ".o_ar_statement_line.o_ar_late .o_ar_days_late:not(:empty)",
        },
        {
            content: "The balance is shown",
            trigger: ".o_ar_statement_totals .o_ar_balance",
        },
    ],
});
