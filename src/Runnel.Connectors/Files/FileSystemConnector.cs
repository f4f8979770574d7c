using System.Buffers;
using System.Runtime.CompilerServices;
using Runnel.Connectors.Abstractions;
using Runnel.Connectors.Formats;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Files;

/// <summary>
/// Flink's <c>filesystem</c> connector. As a source it reads a file or every visible file of a directory (names not
/// starting with <c>.</c> or <c>_</c>, in name order), bounded by default; with <c>source.monitor-interval</c> it is
/// unbounded and picks up new files and lines appended to existing ones. As a sink it writes part files
/// (<c>part-&lt;uuid&gt;-0-&lt;n&gt;</c>) into the directory; each is written as a hidden in-progress file and renamed
/// when the job checkpoints or finishes, so readers never see a half-written file. Metadata columns:
/// <c>file.path</c>, <c>file.name</c>, <c>file.size</c>, <c>file.modification-time</c>.
/// </summary>
public sealed class FileSystemConnector : IConnectorFactory
{
    /// <inheritdoc />
    public string Name => "filesystem";
    /// <inheritdoc />
    public bool CanRead => true;
    /// <inheritdoc />
    public bool CanWrite => true;
    /// <inheritdoc />
    public bool AcceptsUpdates => false;

    private static readonly OptionDef[] Own =
    [
        new("connector", OptionType.String, "filesystem"),
        new("path", OptionType.String, "A file or directory to read, or the directory to write part files into.", Required: true),
        new("format", OptionType.Enum, "Record format.", Required: true, AllowedValues: ["json", "csv", "raw"]),
        new("source.monitor-interval", OptionType.Duration, "Make the source unbounded: check for new files and appended lines at this interval."),
        new("sink.rolling-policy.file-size", OptionType.String, "Roll to a new part file after this many bytes (e.g. 128MB).", Default: "128MB"),
        new("sink.rolling-policy.rollover-interval", OptionType.Duration, "Roll to a new part file after this time.", Default: "30 min"),
        new("sink.rolling-policy.check-interval", OptionType.Duration, "How often the rollover interval is checked.", Default: "1 min"),
        new("sink.parallelism", OptionType.Int, "Accepted for compatibility; Runnel writes with one writer per job."),
        new("partition.default-name", OptionType.String, "Accepted for compatibility; partitioned writes are not supported yet."),
    ];

    /// <inheritdoc />
    public OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options)
    {
        var format = options.TryGetValue("format", out var f) && FormatRegistry.TryGet(f, out var ff) ? ff.Options : [];
        return new OptionSchema("connector 'filesystem'", Own.Concat(format));
    }

    /// <inheritdoc />
    public bool IsBounded(IReadOnlyDictionary<string, string> options) => !options.ContainsKey("source.monitor-interval");

    /// <inheritdoc />
    public ISource CreateSource(TableContext context) => new Source(context, this);
    /// <inheritdoc />
    public ISink CreateSink(TableContext context) => new Sink(context, this);

    internal static (IFormatFactory Format, OptionReader Options) Format(TableContext context, FileSystemConnector connector)
    {
        var reader = new OptionReader(context.Options, connector.GetOptionSchema(context.Options));
        return (FormatRegistry.Get(reader.GetRequired("format")), reader);
    }

    private sealed class Source(TableContext context, FileSystemConnector connector) : ISource
    {
        private const int BatchSize = 1024;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public async IAsyncEnumerable<RowBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var (format, options) = Format(context, connector);
            var path = options.GetRequired("path");
            var interval = context.Bounded ? null : options.GetDuration("source.monitor-interval");
            var ignoreErrors = format.IgnoreParseErrors(options);
            var physical = context.PhysicalSchema.Count;
            var width = physical + context.MetadataColumns.Count;
            var used = context.UsedColumns;
            var quote = (options.GetString("csv.quote-character") ?? "\"")[0];
            var csvQuotes = format.Framing == RecordFraming.CsvRecords && !options.GetBool("csv.disable-quote-character");
            var readers = new Dictionary<string, (RecordReader Reader, IRecordDecoder Decoder, bool HeaderDone)>(StringComparer.Ordinal);
            if (interval is null && !File.Exists(path) && !Directory.Exists(path))
                throw new RunnelException($"Table '{context.TableName}': path '{path}' does not exist");
            while (true)
            {
                foreach (var file in ListFiles(path))
                {
                    if (!readers.TryGetValue(file, out var state))
                        state = (new RecordReader(file, csvQuotes, quote), format.CreateDecoder(context.PhysicalSchema, options, used, context.TimeZone), false);
                    var decoder = state.Decoder;
                    var headerDone = state.HeaderDone;
                    var info = new FileInfo(file);
                    var batch = new List<Row>(BatchSize);
                    state.Reader.Open();
                    try
                    {
                        while (true)
                        {
                            var row = NextRow(state.Reader, decoder, ref headerDone, interval is null, file, info, ignoreErrors, format.Name, width, physical);
                            if (row is null) break;
                            batch.Add(row);
                            if (batch.Count == BatchSize)
                            {
                                context.Counters.AddRead(batch.Count);
                                yield return new RowBatch(batch);
                                batch = new List<Row>(BatchSize);
                            }
                        }
                    }
                    finally { state.Reader.Dispose(); }
                    readers[file] = (state.Reader, decoder, headerDone);
                    if (batch.Count > 0)
                    {
                        context.Counters.AddRead(batch.Count);
                        yield return new RowBatch(batch);
                    }
                    await Task.Yield();
                }
                if (interval is null) yield break;
                await Task.Delay(interval.Value, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The next decoded row of the file, skipping headers, blank lines and (when allowed) bad rows; null
        /// when no whole record is left.</summary>
        private Row? NextRow(RecordReader reader, IRecordDecoder decoder, ref bool headerDone, bool complete, string file, FileInfo info,
            bool ignoreErrors, string formatName, int width, int physical)
        {
            while (reader.Next(complete, out var record, out var line))
            {
                if (decoder.HasHeader && !headerDone)
                {
                    decoder.ReadHeader(record);
                    headerDone = true;
                    continue;
                }
                var values = new object?[width];
                try
                {
                    if (!decoder.Decode(record, values)) continue;
                }
                catch (FormatException e)
                {
                    if (ignoreErrors)
                    {
                        context.Counters.AddSkipped($"{file}:{line}: {e.Message}");
                        continue;
                    }
                    throw new DataFormatException(file, line, e.Message + $" (set '{formatName}.ignore-parse-errors' = 'true' to skip bad rows)");
                }
                for (var m = 0; m < context.MetadataColumns.Count; m++)
                    values[physical + m] = Metadata(context.MetadataColumns[m].Key, info);
                return new Row(values);
            }
            return null;
        }

        private static object? Metadata(string key, FileInfo file) => key.ToLowerInvariant() switch
        {
            "file.path" => file.FullName,
            "file.name" => file.Name,
            "file.size" => file.Exists ? file.Length : null,
            "file.modification-time" => file.Exists ? new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) : null,
            _ => throw new OptionException($"Unknown metadata key '{key}' for connector 'filesystem'. Available: file.path, file.name, file.size, file.modification-time"),
        };

        private static IEnumerable<string> ListFiles(string path)
        {
            if (File.Exists(path)) return [path];
            if (!Directory.Exists(path)) return [];
            return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('.') || p.StartsWith('_')))
                .Order(StringComparer.Ordinal);
        }
    }

    private sealed class Sink : ISink
    {
        private readonly TableContext _context;
        private readonly IRecordEncoder _encoder;
        private readonly string _directory;
        private readonly string _uuid = Guid.NewGuid().ToString();
        private readonly long _maxBytes;
        private readonly TimeSpan _rollover;
        private readonly ArrayBufferWriter<byte> _record = new();
        private FileStream? _current;
        private string? _currentPath;
        private string? _finalPath;
        private DateTime _opened;
        private int _partCounter;
        private long _rowsInPart;

        public Sink(TableContext context, FileSystemConnector connector)
        {
            _context = context;
            var (format, options) = Format(context, connector);
            _encoder = format.CreateEncoder(context.PhysicalSchema, options, context.TimeZone);
            _directory = options.GetRequired("path");
            if (File.Exists(_directory)) throw new RunnelException($"Table '{context.TableName}': the filesystem sink writes part files into a directory, but '{_directory}' is a file");
            _maxBytes = ParseSize(options.GetString("sink.rolling-policy.file-size") ?? "128MB");
            _rollover = options.GetDuration("sink.rolling-policy.rollover-interval") ?? TimeSpan.FromMinutes(30);
        }

        private static long ParseSize(string text)
        {
            var s = text.Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);
            long mult = 1;
            foreach (var (suffix, m) in new[] { ("KB", 1L << 10), ("MB", 1L << 20), ("GB", 1L << 30), ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1L) })
                if (s.EndsWith(suffix, StringComparison.Ordinal)) { mult = m; s = s[..^suffix.Length]; break; }
            return long.TryParse(s, out var n) ? n * mult : throw new OptionException($"Invalid size '{text}' for 'sink.rolling-policy.file-size'");
        }

        public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken = default)
        {
            foreach (var row in batch.Rows)
            {
                if (row.Kind is RowKind.UpdateBefore or RowKind.Delete)
                    throw new RunnelException($"Table sink '{_context.TableName}' (filesystem) doesn't support consuming update and delete changes");
                if (_current is null) Open();
                _record.ResetWrittenCount();
                _encoder.Encode(row.Values, _record);
                await _current!.WriteAsync(_record.WrittenMemory, cancellationToken).ConfigureAwait(false);
                _current.WriteByte((byte)'\n');
                _rowsInPart++;
                if (_current.Length >= _maxBytes || DateTime.UtcNow - _opened >= _rollover) await CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            _context.Counters.AddWritten(batch.Count);
        }

        private void Open()
        {
            Directory.CreateDirectory(_directory);
            var name = $"part-{_uuid}-0-{_partCounter++}";
            _finalPath = Path.Combine(_directory, name);
            _currentPath = Path.Combine(_directory, $".{name}.inprogress.{Guid.NewGuid()}");
            _current = new FileStream(_currentPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
            _opened = DateTime.UtcNow;
            _rowsInPart = 0;
            if (_encoder.Header is { } header)
            {
                _current.Write(header);
                _current.WriteByte((byte)'\n');
            }
        }

        /// <summary>Makes the current part file visible under its final name: flush to disk, then an atomic rename.</summary>
        private async ValueTask CommitAsync(CancellationToken cancellationToken)
        {
            if (_current is null) return;
            await _current.FlushAsync(cancellationToken).ConfigureAwait(false);
            _current.Flush(flushToDisk: true);
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
            if (_rowsInPart == 0) File.Delete(_currentPath!);
            else File.Move(_currentPath!, _finalPath!);
        }

        public ValueTask CheckpointAsync(CancellationToken cancellationToken = default) => CommitAsync(cancellationToken);

        public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
        {
            if (_context.Overwrite && Directory.Exists(_directory))
            {
                // INSERT OVERWRITE: remove the visible files that were there before this job, then publish ours.
                foreach (var old in Directory.GetFiles(_directory).Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).Contains(_uuid, StringComparison.Ordinal)))
                    File.Delete(old);
            }
            await CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            if (_current is not null)
            {
                // Not committed: the job failed. Leave nothing visible; remove the in-progress file.
                await _current.DisposeAsync().ConfigureAwait(false);
                try { File.Delete(_currentPath!); } catch (IOException) { }
                _current = null;
            }
        }
    }
}
