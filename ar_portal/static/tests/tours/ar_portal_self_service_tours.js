import { registry } from "@web/core/registry";

function inDays(days) {
    return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

registry.category("web_tour.tours").add("ar_portal_autopay_tour", {
    url: "/my/autopay",
    steps: () => [
        {
            content: "Choose the saved card",
            trigger: ".o_ar_autopay_form input[name='token_id']",
            run: "click",
        },
        {
            content: "Give the consent",
            trigger: "#ar_consent",
            run: "click",
        },
        {
            content: "Switch AutoPay on",
            trigger: ".o_ar_autopay_on",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "AutoPay is on and can be switched off",
            trigger: ".o_ar_autopay .alert-success ~ form .o_ar_autopay_off",
        },
    ],
});

registry.category("web_tour.tours").add("ar_portal_dispute_tour", {
    steps: () => [
        {
            content: "Open the complaint form",
            trigger: "#ar_invoice_requests summary:contains(Something wrong)",
            run: "click",
        },
        {
            content: "Choose the reason",
            trigger: "select#ar_reason",
            run: "select quality",
        },
        {
            content: "Describe the problem",
            trigger: "textarea#ar_description",
            run: "edit Towar uszkodzony w transporcie",
        },
        {
            content: "Send the complaint",
            trigger: ".o_ar_dispute_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint is acknowledged",
            trigger: ".o_ar_dispute_opened",
        },
    ],
});

registry.category("web_tour.tours").add("ar_portal_promise_tour", {
    steps: () => [
        {
            content: "Open the promise form",
            trigger: "#ar_invoice_requests summary:contains(Promise a payment date)",
            run: "click",
        },
        {
            content: "Choose a date a week from now",
            trigger: "input#ar_date_promised",
            run() {
                // A date field takes its value as yyyy-mm-dd, which typing cannot give in every locale.
                this.anchor.value = inDays(7);
            },
        },
        {
            content: "Promise",
            trigger: ".o_ar_promise_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The promise is recorded",
            trigger: ".o_ar_promise_recorded",
        },
    ],
});

registry.category("web_tour.tours").add("ar_portal_payment_plan_tour", {
    url: "/my/statement",
    steps: () => [
        {
            content: "Go to the payment plans from the statement",
            trigger: ".o_ar_plan_open",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Select the first invoice",
            trigger: ".o_ar_plan_invoice:eq(0)",
            run: "click",
        },
        {
            content: "Select the second invoice",
            trigger: ".o_ar_plan_invoice:eq(1)",
            run: "click",
        },
        {
            content: "Two instalments",
            trigger: "select.o_ar_plan_count",
            run: "select 2",
        },
        {
            content: "Split evenly",
            trigger: ".o_ar_plan_prepare",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Two instalments are proposed",
            trigger: ".o_ar_plan_row:eq(1) .o_ar_plan_amount",
        },
        {
            content: "Say why",
            trigger: "textarea#ar_plan_note",
            run: "edit Niski sezon",
        },
        {
            content: "Send the proposal",
            trigger: ".o_ar_plan_propose",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The proposal is acknowledged and listed",
            trigger: ".o_ar_plan_proposed ~ .o_ar_plans .o_ar_plan",
        },
    ],
});
