from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts and offers"

    def ready(self):
        from contracts import selectors, user_data
        from tracking.pay_sources import PayLink, PaySource, register_pay_source

        user_data.register()
        # The dashboard's pay under the contract in force on each date: tracking asks its pay
        # sources and never imports contracts (contracts depends on tracking).
        register_pay_source(
            PaySource(
                name="contracts",
                estimate=selectors.dashboard_estimate,
                link=PayLink(
                    "Contracts and offers",
                    "contracts:list",
                    "Base salary, threshold, tiers, bonuses, stipends and a draw: pay under "
                    "your contract from your own log, offers side by side, and the volume a "
                    "target takes.",
                ),
            )
        )
