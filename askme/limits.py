"""Limits on what the user gives askme, in one place. Each is checked where input enters
(askme.stories and askme.memory.store) and reported in one line that names the limit."""

MAX_LINE_CHARS = 2_000  # a fact or question longer than this is refused (bAbI's longest: ~60)
MAX_MEMORY_FACTS = 100_000  # facts in one memory; answering stays well under a second below it
MAX_STORY_BYTES = 50 * 1024 * 1024  # a story file (or stdin) larger than this is refused unread
