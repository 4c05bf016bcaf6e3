"""Regenerate README's function table from the rule table: python tools/update_readme_rules.py"""

import re
from pathlib import Path

from npgrad.api import rules_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
text = README.read_text()
block = "<!-- rules:start -->\n" + rules_markdown() + "<!-- rules:end -->"
README.write_text(re.sub(r"<!-- rules:start -->.*?<!-- rules:end -->", block, text, flags=re.S))
