"""The project's `scrapy` commands (COMMANDS_MODULE): `scrapy crawl` with the project's refusals and exit statuses."""
