"""Evaluation against labels: the synthetic mannequin's truth and the real clips' labels."""
