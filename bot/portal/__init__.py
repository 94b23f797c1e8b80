"""The consulent portal's rules, without Flask: accounts, handoff work, settings per gemeente; the pages are in
bot/web/portal."""
