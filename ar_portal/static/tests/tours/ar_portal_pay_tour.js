import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ar_portal_pay_two_invoices_tour", {
    url: "/my/statement",
    steps: () => [
        {
            content: "Select the first overdue invoice",
            trigger: ".o_ar_statement_line:eq(0) .o_ar_select",
            run: "click",
        },
        {
            content: "Select the second overdue invoice",
            trigger: ".o_ar_statement_line:eq(1) .o_ar_select",
            run: "click",
        },
        {
            content: "Pay the selection",
            trigger: ".o_ar_pay_selected",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Both invoices are listed with the total to pay",
            trigger: ".o_ar_pay_allocation tbody tr:eq(1)",
        },
        {
            content: "The total of the two invoices is the amount",
            trigger: "[name='o_payment_summary_amount'], .o_ar_pay_allocation",
        },
        {
            content: "Choose the demo payment method",
            trigger: "input[name='o_payment_radio']",
            run: "click",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the portal after the payment",
            trigger: "body",
        },
    ],
});
