"""Running the product: the stack and production profile, database migrations, the retention job and the
command line (`python -m bot <area> <command>`)."""
