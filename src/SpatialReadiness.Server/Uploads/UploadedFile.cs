using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Server.Uploads;

/// <summary>
/// A multipart/form-data upload streamed to a private temporary file: one file part (hashed with SHA-256 as it
/// arrives) plus small text fields. The size limit is enforced on the bytes received, not on what the client claims.
/// </summary>
public sealed class UploadedFile : IDisposable
{
    private const int MaxFieldBytes = 64 * 1024;

    private UploadedFile(string path) => Path = path;

    public string Path { get; }
    public string FileName { get; private set; } = "";
    public long Bytes { get; private set; }
    public string Sha256 { get; private set; } = "";
    public Dictionary<string, string> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static async Task<UploadedFile> ReceiveAsync(HttpRequest request, long maxBytes, string tempDirectory, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
            throw new InputException(InputError.UnsupportedFormat,
                "send the layer as multipart/form-data with a 'file' part and the fields kind and licence (e.g. curl -F file=@wards.geojson -F kind=ward -F licence=\"CC BY 4.0\").");
        if (request.ContentLength > maxBytes + MaxFieldBytes * 16)
            throw TooLarge(maxBytes);

        var upload = new UploadedFile(System.IO.Path.Combine(tempDirectory, "srd-upload-" + Guid.NewGuid().ToString("N")));
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                if (disposition.IsFileDisposition())
                    await upload.SaveFileAsync(section.Body, disposition, maxBytes, cancellationToken);
                else if (disposition.IsFormDisposition())
                    upload.Fields[HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? ""] = await ReadFieldAsync(section.Body, cancellationToken);
            }
            if (upload.FileName.Length == 0)
                throw new InputException(InputError.Malformed, "the upload has no file part; send the layer file as the form field 'file'.");
            return upload;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            upload.Dispose();
            throw TooLarge(maxBytes);
        }
        catch (IOException e) when (TempSpaceFull.Is(e))
        {
            upload.Dispose();
            throw new TempSpaceFull(e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            upload.Dispose();
            throw new InputException(InputError.Malformed, $"the multipart upload is broken: {e.Message}");
        }
        catch
        {
            upload.Dispose();
            throw;
        }
    }

    private async Task SaveFileAsync(Stream body, ContentDispositionHeaderValue disposition, long maxBytes, CancellationToken cancellationToken)
    {
        if (FileName.Length > 0) throw new InputException(InputError.Malformed, "send one file per upload; each layer is imported on its own.");
        FileName = System.IO.Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "upload");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            Bytes += read;
            if (Bytes > maxBytes) throw TooLarge(maxBytes);
            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var limited = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (limited.Length + read > MaxFieldBytes)
                throw new InputException(InputError.TooLarge, $"a form field is longer than {MaxFieldBytes / 1024} KiB.");
            limited.Write(buffer, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(limited.GetBuffer(), 0, (int)limited.Length).Trim();
    }

    private static InputException TooLarge(long maxBytes) =>
        new(InputError.TooLarge, $"the upload is larger than the limit of {maxBytes / (1 << 20)} MiB (SR_MAX_UPLOAD_MB); split the layer or ask the administrator to raise the limit.");

    public void Dispose()
    {
        try { File.Delete(Path); }
        catch (DirectoryNotFoundException) { }
    }
}
