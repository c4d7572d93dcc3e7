"""Database backends: Django's own, subclassed where the product needs them to behave
differently (Django's documented "subclassing the built-in database backends")."""
