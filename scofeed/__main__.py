from scofeed.cli import run

run()
