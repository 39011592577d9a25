"""Reading release sources, enriching them, and building the Whoosh index."""
