"""products rules."""

# Each rule is a template: names stand for the call's arguments and are inlined.
