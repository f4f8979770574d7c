using System.Reflection;
using System.Runtime.InteropServices;

namespace Runnel.Connectors.Kafka;

/// <summary>
/// Points Confluent.Kafka at Debian's librdkafka: its P/Invokes name <c>librdkafka</c> and <c>libdl</c>, which the
/// resolver maps to <c>librdkafka.so.1</c> (package librdkafka1) and <c>libdl.so.2</c>. Set once, before the first
/// client is built.
/// </summary>
public static class KafkaNative
{
    private static int _set;

    /// <summary>Installs the resolver (idempotent). Throws <see cref="Core.Errors.RunnelException"/> saying what to
    /// install when librdkafka is not on the machine.</summary>
    public static void EnsureResolver()
    {
        if (!NativeLibrary.TryLoad("librdkafka.so.1", out _))
            throw new Core.Errors.RunnelException("The kafka connector needs librdkafka: install Debian's librdkafka1 (apt-get install -y librdkafka1)");
        if (Interlocked.Exchange(ref _set, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.ClientConfig).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name switch
    {
        "librdkafka" => NativeLibrary.Load("librdkafka.so.1"),
        "libdl" => NativeLibrary.Load("libdl.so.2"),
        _ => IntPtr.Zero,
    };
}
