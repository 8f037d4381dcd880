from shopfloor.assistant.cli import main

main()
