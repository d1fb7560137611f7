from scofeed.cli import main

main()
