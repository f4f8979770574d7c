namespace Runnel.Connectors.Managed;

/// <summary>CRC-32 (IEEE 802.3, the zlib polynomial) of a record payload, to detect torn or damaged records in a
/// managed table's log. Hand-written because System.IO.Hashing is not available from this project's package mirror;
/// it is the standard table-driven algorithm, checked in tests against the published check value of "123456789".</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Build();

    private static uint[] Build()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
