using System.CommandLine;
using Runnel.Core.Errors;
using Runnel.Engine;
using Runnel.Sql.Ast;

namespace Runnel.Cli;

/// <summary>
/// <c>runnel connection create | list | describe | delete</c>: the same catalog objects as CREATE/SHOW/DESCRIBE/DROP
/// CONNECTION, with the flags of <c>confluent flink connection create</c>. A secret flag given as <c>-</c> is read from
/// standard input so keys stay out of shell history; <c>--cloud</c>, <c>--region</c> and <c>--environment</c> are
/// accepted so Confluent's commands paste unchanged, and reported as not applicable.
/// </summary>
internal static class ConnectionCommands
{
    public static Command Build(Option<string> catalog, TextReader input, TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = "Connection name." };
        var type = new Option<string>("--type") { Description = "Connection type (openai, azureopenai, bedrock, ...).", Required = true };
        var endpoint = new Option<string?>("--endpoint") { Description = "Endpoint URL." };
        var secretFlags = new (string Flag, string Key)[]
        {
            ("--api-key", "api-key"), ("--aws-access-key", "aws-access-key"), ("--aws-secret-key", "aws-secret-key"),
            ("--aws-session-token", "aws-session-token"), ("--username", "username"), ("--password", "password"),
            ("--token", "token"), ("--client-id", "client-id"), ("--client-secret", "client-secret"),
        };
        var secrets = secretFlags.Select(s => (Option: new Option<string?>(s.Flag) { Description = $"Secret '{s.Key}' ('-' reads it from standard input)." }, s.Key)).ToList();
        var serviceKey = new Option<FileInfo?>("--service-key") { Description = "File with a Google service-account JSON key (vertexai)." };
        var confluentOnly = new[] { "--cloud", "--region", "--environment" }.Select(f => new Option<string?>(f) { Description = "Confluent Cloud flag; accepted and ignored (not applicable to Runnel)." }).ToList();

        var create = new Command("create", "Create a connection.") { name, type, endpoint, serviceKey, catalog };
        foreach (var s in secrets) create.Options.Add(s.Option);
        foreach (var c in confluentOnly) create.Options.Add(c);
        create.SetAction(async (parse, ct) =>
        {
            foreach (var c in confluentOnly)
                if (parse.GetValue(c) is not null) await error.WriteLineAsync($"[WARNING] {c.Name} is not applicable to Runnel and was ignored.").ConfigureAwait(false);
            var options = new List<OptionPair> { new("type", parse.GetValue(type)!) };
            if (parse.GetValue(endpoint) is { } e) options.Add(new OptionPair("endpoint", e));
            foreach (var (option, key) in secrets)
            {
                if (parse.GetValue(option) is not { } value) continue;
                if (value == "-") value = (await input.ReadLineAsync(ct).ConfigureAwait(false))?.Trim() ?? "";
                options.Add(new OptionPair(key, value));
            }
            if (parse.GetValue(serviceKey) is { } file) options.Add(new OptionPair("service-key", await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false)));
            return await RunAsync(parse.GetValue(catalog)!, error, output, engine =>
                engine.ExecuteAsync(new CreateConnectionStatement(new QualifiedName(parse.GetValue(name)!), false, false, null, options), ct)).ConfigureAwait(false);
        });

        var list = new Command("list", "List connections.") { catalog };
        list.SetAction((parse, ct) => RunAsync(parse.GetValue(catalog)!, error, output, engine =>
            engine.ExecuteAsync(new ShowStatement("CONNECTIONS", null, null, false), ct)));

        var describeName = new Argument<string>("name") { Description = "Connection name." };
        var describe = new Command("describe", "Describe a connection (secrets are never shown).") { describeName, catalog };
        describe.SetAction((parse, ct) => RunAsync(parse.GetValue(catalog)!, error, output, engine =>
            engine.ExecuteAsync(new DescribeStatement("CONNECTION", new QualifiedName(parse.GetValue(describeName)!)), ct)));

        var deleteName = new Argument<string>("name") { Description = "Connection name." };
        var delete = new Command("delete", "Delete a connection and its stored secrets.") { deleteName, catalog };
        delete.SetAction((parse, ct) => RunAsync(parse.GetValue(catalog)!, error, output, engine =>
            engine.ExecuteAsync(new DropConnectionStatement(new QualifiedName(parse.GetValue(deleteName)!), false), ct)));

        return new Command("connection", "Manage connections (as CREATE/SHOW/DESCRIBE/DROP CONNECTION).") { create, list, describe, delete };
    }

    private static async Task<int> RunAsync(string catalog, TextWriter error, TextWriter output, Func<RunnelEngine, Task<StatementResult>> action)
    {
        try
        {
            await using var engine = new RunnelEngine(CliApp.EngineOptions(catalog));
            var result = await action(engine).ConfigureAwait(false);
            switch (result)
            {
                case TableResult t when t.Rows.Count == 0: await output.WriteLineAsync("Empty set").ConfigureAwait(false); break;
                case TableResult t: new ResultPrinter(output).PrintTable(t.Schema, t.Rows); break;
                case MessageResult m: await output.WriteLineAsync($"[INFO] {m.Message}").ConfigureAwait(false); break;
            }
            return 0;
        }
        catch (RunnelException e)
        {
            await error.WriteLineAsync($"[ERROR] {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
