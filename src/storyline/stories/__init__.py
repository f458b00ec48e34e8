"""Stories: a mixed feed grouped into the stories it tells, kept up to date as articles arrive.

:func:`update_stories` places the store's new articles (see
:mod:`.tracker` for how, :mod:`.storage` for what is kept);
:func:`list_stories` and :func:`story_article_ids` read them back.
"""

from storyline.stories.storage import (
    list_stories,
    resolve_story,
    story_article_ids,
    story_copies,
    story_volume,
    update_stories,
)
from storyline.stories.tracker import Changes, Item, StoryParams, StoryTracker

__all__ = ["Changes", "Item", "StoryParams", "StoryTracker", "list_stories", "resolve_story",
           "story_article_ids", "story_copies", "story_volume", "update_stories"]
