namespace Runnel.Connectors.Tests;
