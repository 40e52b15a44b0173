"""What each page computes: overview, ranking of lagging communes, equity, the commune profile."""
