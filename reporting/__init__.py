"""Campaign statistics: the figures editors and moderators read (views, actions, conversion,
sources, how the letters stand) and the screens that show them."""
