"""Code that runs inside the Rasa server and the action server: channels, input guard, NLU components,
stores, patches. config.yml, endpoints*.yml and credentials.yml name classes here."""
