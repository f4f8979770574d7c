using System.Globalization;
using Runnel.Connectors.Abstractions;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Execution.Runtime;
using Runnel.Models.Abstractions;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;
using Runnel.Sql.Planning;

namespace Runnel.Engine.Models;

/// <summary>How ML_PREDICT calls a model: Confluent's config-map keys (async_enabled, client_timeout, max_parallelism,
/// retry_count, debug) and Flink's (async, max-concurrent-operations, output-mode, timeout), with the session defaults
/// <c>table.exec.async-ml-predict.*</c>. <paramref name="Timeout"/> (<c>client_timeout</c>, seconds) bounds one request;
/// <paramref name="Deadline"/> (Flink's <c>timeout</c>, a duration) bounds a row's whole call, retries and waits
/// included — past it the row fails with 408 instead of being retried again.</summary>
public sealed record PredictConfig(int MaxParallelism, TimeSpan? Timeout, int RetryCount, bool Ordered, bool Debug, TimeSpan? Deadline = null);

/// <summary>A bound model call: which model version, and how to call it. Carried to the runtime as the table
/// function's payload.</summary>
public sealed record ModelCall(string Function, string Model, int Version, string Task, PredictConfig Config, string ErrorStrategy);

/// <summary>
/// Model inference in queries. Binds <c>LATERAL TABLE(ML_PREDICT('m[$n]', args.. [, MAP[..]]))</c> (and AI_COMPLETE,
/// AI_EMBEDDING), Flink 2.1's <c>ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c1, ..) [, MAP[..]])</c>, and the scalar form
/// <c>SELECT ML_PREDICT(m, x) FROM t</c>; checks the arguments against the model's INPUT at planning time; and runs the
/// calls: NULL inputs give NULL outputs without a call, non-NULL rows go to the provider in batches of its preferred
/// size, up to max_parallelism at once, retrying retryable failures up to retry_count times. A row whose call still
/// fails fails the statement, unless the model's error-handling-strategy is 'ignore' (NULL outputs, counted).
/// </summary>
internal sealed class ModelFunctions(RunnelEngine engine) : ITableFunctionBinder, ITableFunctionRuntime, ISelectRewriter
{
    public IReadOnlyCollection<string> Names => ["ML_PREDICT", "AI_COMPLETE", "AI_EMBEDDING"];

    private static readonly string[] ConfigKeys =
        ["async_enabled", "client_timeout", "max_parallelism", "retry_count", "debug", "async", "max-concurrent-operations", "output-mode", "timeout"];

    // ------------------------------------------------------------------ binding

    /// <summary>The model name and version an argument names: a string (<c>'m$2'</c>, <c>'`db`.`m`'</c>), a
    /// backquoted or bare identifier, or <c>MODEL m</c>.</summary>
    internal static ModelReference Reference(Expr e)
    {
        string text;
        switch (e)
        {
            case LiteralExpr { Kind: LiteralKind.String } s:
                text = s.Text.Contains('`', StringComparison.Ordinal) ? ParseQuotedPath(s.Text, s.Position) : s.Text;
                break;
            case ColumnRefExpr c: text = CatalogNames.ObjectName(new QualifiedName(c.Parts), c.Position); break;
            case ModelArgExpr m: text = CatalogNames.ObjectName(m.Model, m.Position); break;
            default: throw new SqlException("The first argument of a model function must name the model: 'model', 'model$2', `model` or MODEL model", e.Position);
        }
        return ModelReference.Parse(text);
    }

    private static string ParseQuotedPath(string text, SourcePosition position)
    {
        var parts = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '`')
            {
                var end = text.IndexOf('`', i + 1);
                if (end < 0) throw new SqlException($"Unterminated backquote in model name '{text}'", position);
                parts.Add(text[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf('.', i);
                parts.Add(end < 0 ? text[i..] : text[i..end]);
                i = end < 0 ? text.Length : end;
            }
            if (i < text.Length && text[i] == '.') i++;
        }
        return CatalogNames.ObjectName(new QualifiedName(parts), position);
    }

    internal (StoredModel Model, int Version) Resolve(ModelReference reference, SourcePosition position, bool allowAll = false)
    {
        var model = engine.Models.GetModel(reference.Name) ?? throw new SqlException(
            $"Model '{reference.Name}' does not exist." + NameSuggester.Hint(reference.Name, engine.Models.ModelNames), position);
        if (reference.All && !allowAll)
            throw new SqlException($"'{reference}' names every version; only DESCRIBE MODEL, DROP MODEL and ML_EVALUATE take $all", position);
        var version = reference.Version ?? model.DefaultVersion;
        if (!reference.All && model.Find(version) is null)
            throw new SqlException($"Model '{reference.Name}' has no version {version}; versions: {string.Join(", ", model.Versions.Select(v => v.Id))}", position);
        return (model, version);
    }

    private PredictConfig Config(ExpressionBinder binder, ConstructorExpr? map)
    {
        var session = engine.Session.Config;
        int parallelism = session.TryGetValue("table.exec.async-ml-predict.max-concurrent-operations", out var mp) && int.TryParse(mp, CultureInfo.InvariantCulture, out var mpi) ? mpi : 10;
        TimeSpan? timeout = null;
        TimeSpan? deadline = session.TryGetValue("table.exec.async-ml-predict.timeout", out var to) && Core.Options.Durations.TryParse(to, out var tod) ? tod : null;
        var ordered = !(session.TryGetValue("table.exec.async-ml-predict.output-mode", out var om) && om.Equals("ALLOW_UNORDERED", StringComparison.OrdinalIgnoreCase));
        var retries = 3;
        var debug = false;
        if (map is null) return new PredictConfig(parallelism, timeout, retries, ordered, debug, deadline);
        for (var i = 0; i + 1 < map.Items.Count; i += 2)
        {
            if (map.Items[i] is not LiteralExpr { Kind: LiteralKind.String } keyLit)
                throw new SqlException("Config map keys must be string literals", map.Items[i].Position);
            var key = keyLit.Text.ToLowerInvariant();
            var valueExpr = binder.Bind(map.Items[i + 1], new Scope([]));
            if (valueExpr is not BoundLiteral { Value: { } raw })
                throw new SqlException($"The value of config key '{key}' must be a literal", map.Items[i + 1].Position);
            var value = raw is string s ? s : ValueFormatter.Format(raw);
            try
            {
                switch (key)
                {
                    case "max_parallelism":
                    case "max-concurrent-operations":
                        parallelism = int.Parse(value, CultureInfo.InvariantCulture);
                        if (parallelism < 1) throw new FormatException();
                        break;
                    case "client_timeout": timeout = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                    case "timeout": deadline = Core.Options.Durations.TryParse(value, out var d) ? d : throw new FormatException(); break;
                    case "retry_count": retries = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "output-mode":
                        if (value.Equals("ORDERED", StringComparison.OrdinalIgnoreCase)) ordered = true;
                        else if (value.Equals("ALLOW_UNORDERED", StringComparison.OrdinalIgnoreCase)) ordered = false;
                        else throw new FormatException();
                        break;
                    case "async_enabled":
                    case "async":
                    case "debug":
                        var b = bool.Parse(value);
                        if (key == "debug") debug = b;
                        break;
                    default:
                        throw new SqlException($"Unknown ML_PREDICT config key '{keyLit.Text}'. Valid keys: {string.Join(", ", ConfigKeys)}", keyLit.Position);
                }
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new SqlException($"Invalid value '{value}' for ML_PREDICT config key '{key}'", map.Items[i + 1].Position);
            }
        }
        return new PredictConfig(parallelism, timeout, retries, ordered, debug, deadline);
    }

    /// <summary>Binds a model call over <paramref name="scope"/>: model reference, argument expressions matched to
    /// INPUT by position (implicitly cast), optional config map. Output columns are renamed on a clash with
    /// <paramref name="taken"/> names (Flink appends an index: prediction becomes prediction0).</summary>
    internal TableFunctionCall BindCall(string function, Expr modelArg, IReadOnlyList<Expr> args, SourcePosition position, Scope scope,
        ExpressionBinder binder, IEnumerable<string> taken)
    {
        var reference = Reference(modelArg);
        var (model, version) = Resolve(reference, modelArg.Position);
        ConstructorExpr? map = args.Count > 0 && args[^1] is ConstructorExpr { Kind: ConstructorKind.Map } m ? m : null;
        var inputs = map is null ? args : args.Take(args.Count - 1).ToList();
        var sig = model.Signature();
        var bound = inputs.Select(a => binder.Bind(a, scope)).ToList();
        var expected = "(" + string.Join(", ", sig.Inputs.Select(c => $"{c.Name} {c.Type.WithNullable(true)}")) + ")";
        if (bound.Count != sig.Inputs.Count || bound.Where((b, i) => !(TypeCoercion.CanImplicitlyCast(b.Type, sig.Inputs[i].Type) || (b.Type.IsCharacter && sig.Inputs[i].Type.IsCharacter))).Any())
            throw new SqlException($"{function} arguments do not match model '{reference.Name}': its INPUT is {expected}, the call gives ({string.Join(", ", bound.Select(b => b.Type.WithNullable(true)))})", position);
        var cast = bound.Select((b, i) => ExpressionBinder.CastTo(b, sig.Inputs[i].Type)).ToList();
        var names = new HashSet<string>(taken, StringComparer.OrdinalIgnoreCase);
        var outputs = new List<Column>();
        foreach (var o in sig.Outputs)
        {
            var name = o.Name;
            for (var k = 0; names.Contains(name); k++) name = o.Name + k;
            names.Add(name);
            outputs.Add(new Column(name, o.Type.WithNullable(true)));
        }
        var strategy = model.Find(version)!.Options.TryGetValue("error-handling-strategy", out var s) ? s.ToLowerInvariant() : "failover";
        var payload = new ModelCall(function, reference.Name, version, model.Task, Config(binder, map), strategy);
        return new TableFunctionCall(function, cast, outputs, payload);
    }

    public CorrelatedFunction BindLateral(FunctionCallExpr call, Scope scope, ExpressionBinder binder, BindContext context)
    {
        if (call.Args.Count < 1) throw new SqlException($"{call.UpperName} needs the model and its arguments", call.Position);
        return BindCall(call.UpperName, call.Args[0], call.Args.Skip(1).ToList(), call.Position, scope, binder, scope.Entries.Select(e => e.Name));
    }

    public LogicalPlan BindTableValued(FunctionCallExpr call, LogicalPlan input, Scope inputScope, ExpressionBinder binder, BindContext context)
    {
        // ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c1, ..) [, MAP[..]])
        if (call.Args.Count < 3 || call.Args[1] is not ModelArgExpr model || call.Args[2] is not DescriptorExpr descriptor)
            throw new SqlException($"Expected {call.UpperName}(TABLE t, MODEL m, DESCRIPTOR(c1, ..) [, MAP[..]])", call.Position);
        var args = descriptor.Columns.Select(c => (Expr)new ColumnRefExpr([c]) { Position = descriptor.Position }).ToList();
        args.AddRange(call.Args.Skip(3));
        if (input.IsUpdating) throw new SqlException($"{call.UpperName} needs an append-only input, but its input is updating", call.Position);
        var fn = BindCall(call.UpperName, model, args, call.Position, inputScope, binder, inputScope.Entries.Select(e => e.Name));
        return new LogicalCorrelate(input, fn, outer: false);
    }

    public SelectRewrite? Rewrite(SelectQuery select, LogicalPlan input, Scope scope, ExpressionBinder binder, BindContext context)
    {
        var calls = select.Items.SelectMany(i => ExprWalker.Descendants(i.Expr)).OfType<FunctionCallExpr>()
            .Where(f => f.Name.Parts.Count == 1 && Names.Contains(f.UpperName)).ToList();
        if (calls.Count == 0) return null;
        if (input.IsUpdating) throw new SqlException($"{calls[0].UpperName} needs an append-only input, but its input is updating", calls[0].Position);
        var substitutions = new Dictionary<string, BoundExpr>(StringComparer.Ordinal);
        var plan = input;
        var entries = scope.Entries.ToList();
        foreach (var call in calls)
        {
            var text = SqlFormatter.Format(call);
            if (substitutions.ContainsKey(text)) continue;
            if (call.Args.Count < 1) throw new SqlException($"{call.UpperName} needs the model and its arguments", call.Position);
            var fn = BindCall(call.UpperName, call.Args[0], call.Args.Skip(1).ToList(), call.Position, new Scope(entries), binder, []);
            var offset = plan.Schema.Count;
            plan = new LogicalCorrelate(plan, fn, outer: false);
            var refs = fn.OutputColumns.Select((c, i) => (BoundExpr)new BoundInputRef(offset + i, c.Type)).ToList();
            for (var i = 0; i < fn.OutputColumns.Count; i++) entries.Add(new Scope.Entry("$ml" + offset, fn.OutputColumns[i].Name, offset + i, fn.OutputColumns[i].Type));
            if (refs.Count == 1) substitutions[text] = refs[0];
            else
            {
                var rowType = SqlType.Row(fn.OutputColumns.Select(c => new RowField(c.Name, c.Type)).ToList());
                var row = new ScalarFunction("ROW", _ => new Signature(refs.Select(r => r.Type).ToList(), rowType, a => new RowValue(a.ToArray())), strict: false);
                substitutions[text] = new BoundCall(row, refs, rowType, a => new RowValue(a.ToArray()));
            }
        }
        return new SelectRewrite(plan, new Scope(entries), (e, _) =>
            e is FunctionCallExpr f && Names.Contains(f.UpperName) && substitutions.TryGetValue(SqlFormatter.Format(f), out var b) ? b : null);
    }

    // ------------------------------------------------------------------ running

    public ITableFunctionEvaluator Create(TableFunctionCall call, JobContext context)
    {
        var payload = (ModelCall)call.Payload!;
        var model = engine.Models.GetModel(payload.Model) ?? throw new RunnelException($"Model '{payload.Model}' was dropped");
        var version = model.Find(payload.Version) ?? throw new RunnelException($"Model '{payload.Model}' version {payload.Version} was dropped");
        var info = engine.Models.VersionInfo(payload.Model, model, version);
        var provider = engine.ModelProviders.Get(info.Provider);
        ConnectionInfo? connection = null;
        if (info.Option($"{provider.Name}.connection") is { } connectionName) connection = engine.Models.ConnectionInfo(connectionName);
        var invoker = provider.CreateInvoker(info, connection);
        var cached = ModelResultCache.IsEnabled(info);
        var persisted = cached && ModelResultCache.IsPersisted(info) ? engine.PersistentModelCache : null;
        return new Evaluator(invoker, payload, call.OutputColumns.Count, context.Counters, info, cached ? engine.ModelCache : null, persisted, engine.ModelRuntimes.For(info));
    }

    private sealed class Evaluator(IModelInvoker invoker, ModelCall call, int outputs, JobCounters counters, ModelVersionInfo info, ModelResultCache? cache,
        PersistentModelCache? persisted, ModelVersionRuntime runtime)
        : ITableFunctionEvaluator
    {
        private readonly SemaphoreSlim _inFlight = new(call.Config.MaxParallelism);
        private MicroBatcher? _microBatcher;

        /// <summary>Rows go to the provider in requests of its batch size (or <c>runnel.max-batch-size</c>), gathered
        /// across input batches for up to <c>runnel.batch-linger-ms</c>, at most max_parallelism requests at once.</summary>
        private MicroBatcher Batcher => LazyInitializer.EnsureInitialized(ref _microBatcher, () => new MicroBatcher(BatchSize(info, invoker), Linger(info, invoker), async (inputs, ct) =>
        {
            await _inFlight.WaitAsync(ct).ConfigureAwait(false);
            try { return await InvokeAsync(inputs, ct).ConfigureAwait(false); }
            finally { _inFlight.Release(); }
        }));

        /// <inheritdoc />
        public bool Ordered => call.Config.Ordered;

        /// <summary>Twice the rows of max_parallelism full requests, so the next requests fill while these are out.</summary>
        public int RowsInFlight => (int)Math.Min(1_000_000, 2L * call.Config.MaxParallelism * BatchSize(info, invoker));

        private readonly SqlType[] _outputTypes = [.. info.Signature.Outputs.Select(c => c.Type)];
        private readonly byte[] _keyPrefix = ModelResultCache.KeyPrefix(info);

        /// <summary>Puts an answer read from the persistent cache into the in-memory one.</summary>
        private bool Remember(string key, object?[] values)
        {
            cache!.Set(key, values);
            return true;
        }
        private readonly ModelStageCounters _stage = counters.Model($"{call.Model}${call.Version}");
        private readonly ModelCircuit _circuit = runtime.Circuit;
        private readonly Action<string> _onOpened = Subscribe(runtime.Circuit, counters, call);
        private readonly KeyValuePair<string, object?>[] _tags = [new("runnel.model", call.Model), new("runnel.model.version", call.Version)];

        /// <summary>Reports each opening of the model's circuit as a warning of this job; undone at dispose.</summary>
        private static Action<string> Subscribe(ModelCircuit circuit, JobCounters counters, ModelCall call)
        {
            Action<string> onOpened = reason => counters.AddWarning($"model '{call.Model}' version {call.Version}: {reason}");
            circuit.Opened += onOpened;
            return onOpened;
        }

        /// <summary>
        /// Answers a batch: NULL inputs without a call; with the cache, cached inputs from it and inputs identical to a
        /// request in flight (in this statement or another) by awaiting that request; the rest in requests of the
        /// provider's batch size, at most max_parallelism at once.
        /// </summary>
        public async Task<IReadOnlyList<IReadOnlyList<object?[]>>> EvaluateAsync(IReadOnlyList<object?[]> arguments, CancellationToken cancellationToken)
        {
            var results = new IReadOnlyList<object?[]>[arguments.Count];
            var pending = new List<int>();
            var followers = new List<(int Row, Task<ModelOutput> Answer)>();
            var leaders = new Dictionary<int, (string Key, TaskCompletionSource<ModelOutput> Done)>();
            var nonNull = 0;
            for (var i = 0; i < arguments.Count; i++)
            {
                if (arguments[i].Any(a => a is null)) { results[i] = [new object?[outputs]]; continue; }
                nonNull++;
                if (cache is not null)
                {
                    var key = ModelResultCache.Key(_keyPrefix, arguments[i]);
                    if (cache.TryGet(key, out var cached) || persisted is not null && persisted.TryGet(key, _outputTypes, out cached) && Remember(key, cached))
                    {
                        results[i] = [cached];
                        _stage.AddCacheHit();
                        ModelMetrics.CacheHits.Add(1, _tags);
                        continue;
                    }
                    var done = new TaskCompletionSource<ModelOutput>(TaskCreationOptions.RunContinuationsAsynchronously);
                    var inFlight = cache.InFlight.GetOrAdd(key, done.Task);
                    if (inFlight != done.Task) { followers.Add((i, inFlight)); cache.CountCoalesced(); continue; }
                    leaders[i] = (key, done);
                }
                pending.Add(i);
            }
            _stage.AddRows(nonNull);
            ModelMetrics.Rows.Add(nonNull, _tags);
            try
            {
                var answers = Batcher.Submit(pending.Select(i => arguments[i]).ToList(), cancellationToken);
                await Task.WhenAll(pending.Select(async (row, k) =>
                {
                    var answer = await answers[k].ConfigureAwait(false);
                    if (leaders.TryGetValue(row, out var leader))
                    {
                        if (answer.Error is null)
                        {
                            cache!.Set(leader.Key, answer.Values!);
                            persisted?.Set(leader.Key, $"{info.ModelName}${info.Version}", answer.Values!, _outputTypes);
                        }
                        cache!.InFlight.TryRemove(leader.Key, out _);
                        leader.Done.TrySetResult(answer);
                    }
                    results[row] = Apply(answer);
                })).ConfigureAwait(false);
                foreach (var (row, asked) in followers)
                {
                    var answer = await asked.WaitAsync(cancellationToken).ConfigureAwait(false);
                    if (ReferenceEquals(answer.Error, Abandoned))
                        answer = await Batcher.Submit([arguments[row]], cancellationToken)[0].ConfigureAwait(false);
                    results[row] = Apply(answer);
                }
            }
            finally
            {
                // A leader whose request never finished (a failed statement, cancellation) lets its followers go.
                foreach (var (key, done) in leaders.Values)
                    if (!done.Task.IsCompleted)
                    {
                        cache!.InFlight.TryRemove(key, out _);
                        done.TrySetResult(ModelOutput.Failed(Abandoned));
                    }
            }
            return results;
        }

        /// <summary>Rows a request carries: the provider's preferred batch size, or less with <c>runnel.max-batch-size</c>.</summary>
        internal static int BatchSize(ModelVersionInfo info, IModelInvoker invoker)
        {
            var preferred = Math.Max(1, invoker.PreferredBatchSize);
            return int.TryParse(info.Option("runnel.max-batch-size"), CultureInfo.InvariantCulture, out var max) && max >= 1 ? Math.Min(max, preferred) : preferred;
        }

        /// <summary>How long a partial request waits for more rows: <c>runnel.batch-linger-ms</c>, by default 50 ms for
        /// providers that take several inputs a request and none for one-input providers.</summary>
        internal static TimeSpan Linger(ModelVersionInfo info, IModelInvoker invoker) =>
            int.TryParse(info.Option("runnel.batch-linger-ms"), CultureInfo.InvariantCulture, out var ms) && ms >= 0 ? TimeSpan.FromMilliseconds(ms)
            : invoker.PreferredBatchSize > 1 ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero;

        /// <summary>The answer a leader gives its followers when its own statement stopped first: they send their own.</summary>
        private static readonly ModelInvocationException Abandoned = new("The identical request this row waited for was abandoned", 0, isRetryable: true);

        private IReadOnlyList<object?[]> Apply(ModelOutput answer)
        {
            if (answer.Error is not { } error) return [answer.Values!];
            var message = $"{call.Function} on model '{call.Model}' version {call.Version} failed: {error.Message}";
            if (call.ErrorStrategy != "ignore") throw new ModelInvocationException(message, error.Status);
            counters.AddModelError(message);
            return [new object?[outputs]];
        }

        /// <summary>
        /// Calls the model through its circuit breaker (<see cref="ModelCircuit"/>), retrying rows whose error is
        /// retryable. The wait before counted attempt n is full jitter over min(10 s, 200 ms × 2^(n-1)) (AWS's
        /// "Exponential Backoff and Jitter"), but never shorter than what the provider asked for
        /// (<see cref="ModelInvocationException.RetryAfter"/>): such a hint pauses every call to the model
        /// version, in every statement, until it has passed (<see cref="ModelVersionRuntime.Pause"/>). With retry_count above 0, outage failures
        /// (no answer, 5xx) of a provider that has answered this model before and has not answered since the request
        /// was sent do not count against retry_count: rows wait for the provider to come back (at most
        /// <see cref="ModelCircuit.MaxOutage"/>, paced by the circuit breaker) instead of failing. A provider that never
        /// answered (a wrong endpoint) still fails after retry_count attempts.
        /// </summary>
        private async Task<IReadOnlyList<ModelOutput>> InvokeAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken)
        {
            var answers = new ModelOutput[inputs.Count];
            var todo = Enumerable.Range(0, inputs.Count).ToList();
            var attempt = 0;
            long? outageSince = null;
            var throttles = 0;
            var retried = false;
            var rowStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            while (true)
            {
                var batch = todo.Select(i => inputs[i]).ToList();
                var sentAt = System.Diagnostics.Stopwatch.GetTimestamp();
                var (got, wait) = await _circuit.ExecuteAsync(c => new ValueTask<IReadOnlyList<ModelOutput>>(Timed(batch, c)), cancellationToken).ConfigureAwait(false);
                if (got is null)
                {
                    // The circuit is open: nothing was sent, and waiting for the probe is not an attempt.
                    if (PastDeadline(todo)) break;
                    outageSince ??= System.Diagnostics.Stopwatch.GetTimestamp();
                    if (System.Diagnostics.Stopwatch.GetElapsedTime(outageSince.Value) > ModelCircuit.MaxOutage)
                    {
                        var down = new ModelInvocationException($"The provider was down for more than {ModelCircuit.MaxOutage.TotalMinutes:F0} minutes", 503, isRetryable: true);
                        return answers.Select(a => a ?? ModelOutput.Failed(down)).ToArray();
                    }
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                for (var k = 0; k < todo.Count; k++) answers[todo[k]] = got[k];
                // The retry budget counts attempts that were not throttled: each earns a fifth of a retry, and a retry
                // that was not throttled gives back what it took, so only throttled attempts spend it.
                if (!got.Any(a => a.Error is { Status: 429 })) runtime.RetryBudget.Deposit(refund: retried);
                var retry = todo.Where(i => answers[i].Error is { IsRetryable: true }).ToList();
                if (retry.Count == 0) break;
                var outage = call.Config.RetryCount > 0 && retry.All(i => ModelCircuit.IsOutage(answers[i].Error)) && _circuit.IsOngoingOutage(sentAt);
                // Throttling (429 without insufficient_quota, which is not retryable) is the provider pacing us, not a
                // failure: it does not count against retry_count; the retry budget and the adaptive limit pace it.
                var throttled = call.Config.RetryCount > 0 && retry.All(i => answers[i].Error!.Status == 429);
                if (outage || throttled)
                {
                    outageSince ??= System.Diagnostics.Stopwatch.GetTimestamp();
                    if (System.Diagnostics.Stopwatch.GetElapsedTime(outageSince.Value) > ModelCircuit.MaxOutage) break;
                }
                else if (++attempt > call.Config.RetryCount) break;
                if (PastDeadline(retry)) break;
                var hint = retry.Select(i => answers[i].Error!.RetryAfter).Max();
                if (hint is { } asked) Pause(asked, answers[retry[0]].Error!);
                var backoff = throttled && !outage ? ++throttles : attempt;
                var delay = outage
                    ? TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * 1_000)
                    : TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(10_000, 200 * Math.Pow(2, Math.Max(0, backoff - 1))));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                await runtime.RetryBudget.WithdrawAsync(cancellationToken).ConfigureAwait(false);
                retried = true;
                _stage.AddRetries(retry.Count);
                ModelMetrics.Retries.Add(retry.Count, _tags);
                todo = retry;
            }
            return answers;

            // Flink's 'timeout': past the row's deadline, the rows still waiting fail instead of being retried again.
            bool PastDeadline(List<int> waiting)
            {
                if (call.Config.Deadline is not { } deadline || System.Diagnostics.Stopwatch.GetElapsedTime(rowStarted) < deadline) return false;
                var late = new ModelInvocationException($"The row's deadline of {deadline.TotalSeconds:0.###} s (ML_PREDICT 'timeout') passed before the model answered it", 408);
                foreach (var i in waiting) answers[i] = ModelOutput.Failed(late);
                return true;
            }
        }

        private void Pause(TimeSpan asked, ModelInvocationException error)
        {
            if (runtime.Pause(asked))
                counters.AddWarning($"model '{call.Model}' version {call.Version}: the provider asked to wait {asked.TotalSeconds:F0} s before retrying " +
                    $"({error.Message}); pausing the model {ModelVersionRuntime.MaxPause.TotalSeconds:F0} s at a time");
        }

        private async Task<IReadOnlyList<ModelOutput>> Timed(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken)
        {
            await runtime.WaitWhilePausedAsync(cancellationToken).ConfigureAwait(false);
            var estimate = 0;
            if (runtime.Limits is { } limits)
            {
                estimate = limits.EstimateRequest(inputs);
                await limits.WaitAsync(estimate, cancellationToken).ConfigureAwait(false);
            }
            var slot = await runtime.Concurrency.AcquireAsync(cancellationToken).ConfigureAwait(false);
            _stage.RequestStarted();
            ModelMetrics.Requests.Add(1, _tags);
            ModelMetrics.InFlight.Add(1, _tags);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            IReadOnlyList<ModelOutput> answers = [];
            try
            {
                answers = await SendAsync(inputs, cancellationToken).ConfigureAwait(false);
                return answers;
            }
            finally
            {
                var throttled = answers.Any(a => a.Error is { Status: 429, IsRetryable: true });
                runtime.Concurrency.Release(slot, throttled);
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                _stage.RequestFinished(elapsed.TotalMilliseconds);
                ModelMetrics.InFlight.Add(-1, _tags);
                if (answers.FirstOrDefault(a => a.Usage is not null)?.Usage is { } usage)
                {
                    var cost = runtime.Prices.Cost(usage);
                    _stage.AddUsage(usage.InputTokens, usage.OutputTokens, cost);
                    ModelMetrics.Tokens.Add(usage.InputTokens, [.. _tags, new("runnel.token.type", "input")]);
                    ModelMetrics.Tokens.Add(usage.OutputTokens, [.. _tags, new("runnel.token.type", "output")]);
                    if (cost > 0) ModelMetrics.Cost.Add(cost, _tags);
                    runtime.Limits?.Observe(estimate, usage.InputTokens + usage.OutputTokens);
                }
                ModelMetrics.Duration.Record(elapsed.TotalSeconds, _tags);
                foreach (var answer in answers)
                    if (answer.Error is { } error)
                    {
                        _stage.AddError(error.Status);
                        ModelMetrics.Errors.Add(1, [.. _tags, new("http.response.status_code", error.Status), new("error.type", ModelStageCounters.ErrorClass(error.Status))]);
                    }
            }
        }

        /// <summary>One provider call under the per-row deadline; an invoker that throws a classified error (a failed
        /// token exchange, for one) fails the rows of the call instead of the statement.</summary>
        private async Task<IReadOnlyList<ModelOutput>> SendAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (call.Config.Timeout is { } timeout) cts.CancelAfter(timeout);
            try
            {
                return await invoker.PredictAsync(inputs, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && call.Config.Timeout is not null)
            {
                var error = new ModelInvocationException($"The model call timed out after {call.Config.Timeout.Value.TotalSeconds:F0} s", 408, isRetryable: true);
                return inputs.Select(_ => ModelOutput.Failed(error)).ToList();
            }
            catch (ModelInvocationException error)
            {
                return inputs.Select(_ => ModelOutput.Failed(error)).ToList();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _circuit.Opened -= _onOpened;
            await invoker.DisposeAsync().ConfigureAwait(false);
            _inFlight.Dispose();
        }
    }
}
