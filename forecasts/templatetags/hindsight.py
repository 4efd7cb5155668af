from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for looking up per-claim scores in templates."""
    return mapping.get(key)
