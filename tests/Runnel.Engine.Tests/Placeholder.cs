namespace Runnel.Engine.Tests;
