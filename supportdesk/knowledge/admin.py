from django.contrib import admin

from supportdesk.knowledge.models import Article, ArticleVersion, Category, Deflection


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ("title", "visibility", "category", "version", "updated_at", "reviewed_at")
    list_filter = ("visibility", "category")
    search_fields = ("title", "slug")


admin.site.register(Category)
admin.site.register(ArticleVersion)
admin.site.register(Deflection)
