import ApipodCLI
import Glibc

exit(CLI.run(CommandLine.arguments))
