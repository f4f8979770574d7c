namespace Runnel.Cli.Tests;
