"""The Textual user interface: thin screens and widgets that call the services."""
