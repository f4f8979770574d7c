namespace Runnel.Connectors.Files;

/// <summary>
/// Reads records from a file starting at a byte offset: a record is a line (LF or CRLF terminated), or for CSV a
/// line whose quoted fields may span line breaks. Remembers the offset and line number after the last whole record,
/// so a tailing source resumes there when the file grows. An unterminated last line is returned only when the file
/// is known to be complete, never half-written. Not thread-safe.
/// </summary>
internal sealed class RecordReader(string path, bool csvQuotes, char quote = '"') : IDisposable
{
    private readonly byte _quote = (byte)quote;
    private byte[] _buffer = new byte[1 << 16];
    private FileStream? _stream;
    private int _start;
    private int _filled;
    private bool _eof;

    /// <summary>Byte offset after the last record returned.</summary>
    public long Offset { get; private set; }
    /// <summary>Lines consumed so far.</summary>
    public long Line { get; private set; }

    /// <summary>Opens the file at <see cref="Offset"/> to read what is there now.</summary>
    public void Open()
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        _stream.Position = Math.Min(Offset, _stream.Length);
        _start = 0;
        _filled = 0;
        _eof = false;
    }

    /// <summary>The next whole record and the line it starts on; false when none is complete. With
    /// <paramref name="fileComplete"/>, an unterminated last line counts as a record.</summary>
    public bool Next(bool fileComplete, out ReadOnlySpan<byte> record, out long line)
    {
        while (true)
        {
            var inQuotes = false;
            var lines = 0;
            for (var pos = _start; pos < _filled; pos++)
            {
                var b = _buffer[pos];
                if (csvQuotes && b == _quote) inQuotes = !inQuotes;
                else if (b == (byte)'\n')
                {
                    lines++;
                    if (inQuotes) continue;
                    var end = pos > _start && _buffer[pos - 1] == (byte)'\r' ? pos - 1 : pos;
                    line = Line + 1;
                    Line += lines;
                    Offset += pos + 1 - _start;
                    record = new ReadOnlySpan<byte>(_buffer, _start, end - _start);
                    _start = pos + 1;
                    return true;
                }
            }
            if (_eof)
            {
                if (fileComplete && _start < _filled)
                {
                    var end = _filled;
                    if (end > _start && _buffer[end - 1] == (byte)'\r') end--;
                    line = Line + 1;
                    Line += lines + 1;
                    Offset += _filled - _start;
                    record = new ReadOnlySpan<byte>(_buffer, _start, end - _start);
                    _start = _filled;
                    return true;
                }
                record = default;
                line = 0;
                return false;
            }
            // Move the incomplete tail to the front, grow if one record fills the buffer, and read more.
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _filled - _start);
                _filled -= _start;
                _start = 0;
            }
            if (_filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var n = _stream!.Read(_buffer, _filled, _buffer.Length - _filled);
            if (n == 0) _eof = true;
            _filled += n;
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
