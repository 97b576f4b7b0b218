"""The GitHub Action's entry point (`python -m slopguard.action`, run by action.yml): review a pull
request inside a workflow, with the workflow's token, through the App's own publisher."""
