"""Full-screen views that look inside the network; each is a Screen the app pushes by a key."""
