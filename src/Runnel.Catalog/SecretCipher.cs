using System.Security.Cryptography;
using System.Text;
using Runnel.Core.Errors;

namespace Runnel.Catalog;

/// <summary>
/// Encrypts secret option values for storage in the catalog with AES-256-GCM (a fresh 12-byte nonce per value, the
/// 16-byte tag appended; stored as <c>enc:v1:&lt;base64 nonce|ciphertext|tag&gt;</c>). The key comes from the
/// <c>RUNNEL_SECRET_KEY</c> environment variable (base64 of 32 bytes, or any other text, hashed with SHA-256), else from
/// a key file beside the catalog (<c>catalog.key</c>, 32 random bytes, created readable and writable by its owner only).
/// Every process sharing a catalog must use the same key.
/// </summary>
public sealed class SecretCipher
{
    /// <summary>Name of the environment variable that holds the key.</summary>
    public const string EnvironmentVariable = "RUNNEL_SECRET_KEY";
    private const string Prefix = "enc:v1:";
    private readonly byte[] _key;

    /// <summary>A cipher with a 32-byte AES-256 key; throws <see cref="ArgumentException"/> for another length.</summary>
    public SecretCipher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32) throw new ArgumentException("The secret key must be 32 bytes", nameof(key));
        _key = key;
    }

    /// <summary>The key from <c>RUNNEL_SECRET_KEY</c>, else from (or newly into) <paramref name="directory"/>/catalog.key.</summary>
    public static SecretCipher ForCatalog(string directory)
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            try
            {
                var raw = Convert.FromBase64String(env);
                if (raw.Length == 32) return new SecretCipher(raw);
            }
            catch (FormatException) { }
            return new SecretCipher(SHA256.HashData(Encoding.UTF8.GetBytes(env)));
        }
        var path = Path.Combine(directory, "catalog.key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(directory);
            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var f = new FileStream(path, options);
                f.Write(key);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != 32) throw new RunnelException($"The catalog key file {path} is damaged (expected 32 bytes); set {EnvironmentVariable} or restore the file");
        return new SecretCipher(bytes);
    }

    /// <summary>The stored form of a secret: <c>enc:v1:</c> and base64 of nonce, ciphertext and tag.</summary>
    public string Encrypt(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[data.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(_key, 16)) aes.Encrypt(nonce, data, cipher, tag);
        return Prefix + Convert.ToBase64String([.. nonce, .. cipher, .. tag]);
    }

    /// <summary>The secret from its stored form; throws <see cref="RunnelException"/> when the key does not match.</summary>
    public string Decrypt(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal)) throw new RunnelException("A stored secret is not in the encrypted format");
        var all = Convert.FromBase64String(stored[Prefix.Length..]);
        var plain = new byte[all.Length - 28];
        try
        {
            using var aes = new AesGcm(_key, 16);
            aes.Decrypt(all.AsSpan(0, 12), all.AsSpan(12, plain.Length), all.AsSpan(12 + plain.Length), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new RunnelException($"A stored secret cannot be decrypted with this catalog's key; every process sharing the catalog needs the same {EnvironmentVariable} or catalog.key");
        }
        return Encoding.UTF8.GetString(plain);
    }
}
