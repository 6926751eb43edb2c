package main

import "flag"

type flagSet = flag.FlagSet

var errHelp = flag.ErrHelp
