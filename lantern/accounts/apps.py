from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lantern.accounts"
    label = "accounts"

    def ready(self) -> None:
        from lantern.accounts import signals  # noqa: F401  (connects receivers)
