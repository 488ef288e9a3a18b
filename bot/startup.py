"""What must hold before the bot may start: checked by `build_runtime`, so every way of starting it
(`siyu serve`, `siyu worker`, gunicorn's `create_app()`, the demo, the CLI commands that send) refuses
the same way, with one line naming the file and the key or rule to fix."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, ConfigError


def check_ready_to_serve(config: Config) -> None:
    """Refuse to start without WeCom credentials (unless WeCom is disabled) or without an opt-out rule."""
    if config.wecom.enabled:
        for key, value in (("corp_id", config.wecom.corp_id), ("secret", config.wecom.secret.get_secret_value())):
            if not value.strip():
                raise ConfigError(f"{config.source}: [wecom] {key} is empty; set it from the WeCom admin console, "
                                  "or set [wecom] enabled = false to run without WeCom")
    check_opt_out_rule(config.bot.tag_rules_path, config)


def check_opt_out_rule(path: Path, config: Config) -> None:
    """The tag rules must load and tag 状态:退订: customers who reply TD must stop getting messages."""
    from bot.tagging.rules import RulesError, load_rules
    from bot.tagging.service import OPT_OUT_TAG

    try:
        rules = load_rules(path)
    except RulesError as error:
        first = (error.errors[0] if error.errors else str(error)).removeprefix(f"{path}: ")
        more = f" (and {len(error.errors) - 1} more: run `siyu playbook check {path}`)" if len(error.errors) > 1 else ""
        raise ConfigError(f"{path}: tag rules cannot be used ([bot] tag_rules in {config.source}): "
                          f"{first}{more}{_legacy_hint(path, config)}") from None
    if not any(rule.tag == OPT_OUT_TAG for rule in rules.keyword_rules):
        raise ConfigError(f"{path}: no keyword rule tags {OPT_OUT_TAG} (the opt-out, 退订/TD); refusing to start: "
                          "customers who ask to stop must stop getting messages")


def _legacy_hint(path: Path, config: Config) -> str:
    """Tag rules used to live beside the playbooks; say so when that file is still there."""
    legacy = Path(config.bot.playbooks_dir) / "tags.toml"
    if legacy != path and legacy.is_file() and not path.exists():
        return f"; {legacy} is still in the playbooks folder: move it to {path} or set [bot] tag_rules"
    return ""
