from costanza.cli.main import main

main()
