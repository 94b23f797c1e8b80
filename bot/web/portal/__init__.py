"""The consulent portal in the web app: pages (views), JSON API, sign-in and rendering; the rules live in
bot/portal."""
