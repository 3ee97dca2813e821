"""Questions the sample documents (`samples/argocd`, loaded by `make run`) answer: asked by the
first-token benchmark and the load test."""

SAMPLE_QUESTIONS = [
    "How do I reset the admin password?",
    "How can I disable the admin user?",
    "Why is my application stuck in Progressing state?",
    "How do I view orphaned resources?",
    "How often does Argo CD check for changes to my Git repository?",
    "How can I terminate a sync?",
    "What is an application in Argo CD?",
    "What is the difference between sync status and health status?",
    "How do I fix an invalid cookie longer than max length?",
    "Why is my app out of sync even after syncing?",
]
